package org.relprune.model.layers;

import java.util.List;
import org.relprune.backend.Backend;
import org.relprune.model.Weights;
import org.relprune.tensor.Shape;
import org.relprune.tensor.Tensor;

/** The graph input; the executor feeds it, it computes nothing. */
public record Input(Shape shape) implements Layer {
    @Override
    public String kind() {
        return "input";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        return shape;
    }

    @Override
    public Tensor forward(Backend backend, List<Tensor> inputs, Weights weights) {
        throw new IllegalStateException("the input node is fed, not run");
    }
}
