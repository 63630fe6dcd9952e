package org.relprune.model.layers;

import java.util.ArrayList;
import java.util.List;
import org.relprune.backend.Backend;
import org.relprune.model.ParamSpec;
import org.relprune.model.Weights;
import org.relprune.tensor.Shape;
import org.relprune.tensor.Tensor;

/** torch.nn.Linear over the last axis: weight [out, in], optional bias [out]. */
public record Linear(int in, int out, String weight, String bias) implements Layer {
    public static Linear of(String prefix, int in, int out) {
        return new Linear(in, out, prefix + ".weight", prefix + ".bias");
    }

    @Override
    public String kind() {
        return "linear";
    }

    @Override
    public List<ParamSpec> params() {
        List<ParamSpec> p = new ArrayList<>();
        p.add(ParamSpec.parameter(weight, out, in));
        if (bias != null) {
            p.add(ParamSpec.parameter(bias, out));
        }
        return p;
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Shape x = inputs.get(0);
        if (x.rank() < 1 || x.dim(-1) != in) {
            throw new IllegalArgumentException("expects [..., " + in + "], got " + x);
        }
        return x.withDim(-1, out);
    }

    @Override
    public long macs(List<Shape> inputs) {
        return Math.multiplyExact(inputs.get(0).numel() / in, Math.multiplyExact((long) in, out));
    }

    @Override
    public Tensor forward(Backend backend, List<Tensor> inputs, Weights w) {
        return backend.linear(inputs.get(0), w.get(weight), bias == null ? null : w.get(bias));
    }
}
