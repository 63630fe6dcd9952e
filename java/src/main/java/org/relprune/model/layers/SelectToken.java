package org.relprune.model.layers;

import java.util.List;
import org.relprune.backend.Backend;
import org.relprune.model.Weights;
import org.relprune.tensor.Shape;
import org.relprune.tensor.Tensor;

/** Picks one token of [N, D] (the class token, index 0, for the ViT classifier). */
public record SelectToken(int index) implements Layer {
    @Override
    public String kind() {
        return "select_token";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Shape x = inputs.get(0);
        if (x.rank() != 2 || index >= x.dim(0)) {
            throw new IllegalArgumentException("expects [N > " + index + ", D], got " + x);
        }
        return Shape.of(x.dim(1));
    }

    @Override
    public Tensor forward(Backend backend, List<Tensor> inputs, Weights weights) {
        return backend.selectToken(inputs.get(0), index);
    }
}
