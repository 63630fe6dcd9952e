package org.relprune.model.layers;

import java.util.List;
import org.relprune.backend.Backend;
import org.relprune.model.Weights;
import org.relprune.tensor.Shape;
import org.relprune.tensor.Tensor;

/** Rectified linear unit. */
public record ReLU() implements Layer {
    @Override
    public String kind() {
        return "relu";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        return inputs.get(0);
    }

    @Override
    public Tensor forward(Backend backend, List<Tensor> inputs, Weights weights) {
        return backend.relu(inputs.get(0));
    }
}
