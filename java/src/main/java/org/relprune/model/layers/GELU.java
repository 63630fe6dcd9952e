package org.relprune.model.layers;

import java.util.List;
import org.relprune.backend.Backend;
import org.relprune.model.Weights;
import org.relprune.tensor.Shape;
import org.relprune.tensor.Tensor;

/** Exact (erf) GELU, torch.nn.GELU(). */
public record GELU() implements Layer {
    @Override
    public String kind() {
        return "gelu";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        return inputs.get(0);
    }

    @Override
    public Tensor forward(Backend backend, List<Tensor> inputs, Weights weights) {
        return backend.gelu(inputs.get(0));
    }
}
