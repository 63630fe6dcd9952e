package org.relprune.model.layers;

import java.util.List;
import org.relprune.backend.Backend;
import org.relprune.model.ParamSpec;
import org.relprune.model.Weights;
import org.relprune.tensor.Shape;
import org.relprune.tensor.Tensor;

/** torch.nn.LayerNorm over the last axis (torchvision's ViT uses eps = 1e-6). */
public record LayerNorm(int dim, double eps, String prefix) implements Layer {
    public static final double VIT_EPS = 1e-6;

    @Override
    public String kind() {
        return "layernorm";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(ParamSpec.parameter(prefix + ".weight", dim), ParamSpec.parameter(prefix + ".bias", dim));
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Shape x = inputs.get(0);
        if (x.rank() < 1 || x.dim(-1) != dim) {
            throw new IllegalArgumentException("expects [..., " + dim + "], got " + x);
        }
        return x;
    }

    @Override
    public Tensor forward(Backend backend, List<Tensor> inputs, Weights w) {
        return backend.layerNorm(inputs.get(0), w.get(prefix + ".weight"), w.get(prefix + ".bias"), (float) eps);
    }
}
