package org.relprune.model.layers;

import java.util.List;
import org.relprune.backend.Backend;
import org.relprune.model.Weights;
import org.relprune.tensor.Shape;
import org.relprune.tensor.Tensor;

/** torch.flatten(x, 1): every per-sample axis into one. */
public record Flatten() implements Layer {
    @Override
    public String kind() {
        return "flatten";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        return Shape.of(inputs.get(0).numel());
    }

    @Override
    public Tensor forward(Backend backend, List<Tensor> inputs, Weights weights) {
        Tensor x = inputs.get(0);
        return backend.reshape(x, Shape.of(x.shape().dim(0), x.shape().numelFrom(1)));
    }
}
