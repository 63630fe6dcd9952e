package org.relprune.model.layers;

import java.util.ArrayList;
import java.util.List;
import org.relprune.backend.Backend;
import org.relprune.backend.Conv2dSpec;
import org.relprune.model.ParamSpec;
import org.relprune.model.Weights;
import org.relprune.tensor.Shape;
import org.relprune.tensor.Tensor;

/** torch.nn.Conv2d: weight [out, in/groups, kh, kw], optional bias [out]. */
public record Conv2d(int in, int out, int kernelH, int kernelW, Conv2dSpec spec, String weight, String bias) implements Layer {
    /** Square kernel, named module {@code prefix} (prefix.weight, prefix.bias if biased). */
    public static Conv2d of(String prefix, int in, int out, int kernel, int stride, int padding, boolean biased) {
        return new Conv2d(in, out, kernel, kernel, Conv2dSpec.of(stride, padding), prefix + ".weight", biased ? prefix + ".bias" : null);
    }

    @Override
    public String kind() {
        return "conv2d";
    }

    @Override
    public List<ParamSpec> params() {
        List<ParamSpec> p = new ArrayList<>();
        p.add(ParamSpec.parameter(weight, out, in / spec.groups(), kernelH, kernelW));
        if (bias != null) {
            p.add(ParamSpec.parameter(bias, out));
        }
        return p;
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Shape x = inputs.get(0);
        if (x.rank() != 3 || x.dim(0) != in) {
            throw new IllegalArgumentException("expects [" + in + ", H, W], got " + x);
        }
        long oh = Conv2dSpec.outSize(x.dim(1), kernelH, spec.strideH(), spec.padH(), spec.dilationH());
        long ow = Conv2dSpec.outSize(x.dim(2), kernelW, spec.strideW(), spec.padW(), spec.dilationW());
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException("input " + x + " is smaller than the " + kernelH + "x" + kernelW + " kernel");
        }
        return Shape.of(out, oh, ow);
    }

    @Override
    public long macs(List<Shape> inputs) {
        Shape o = outputShape(inputs);
        return Math.multiplyExact(Math.multiplyExact(o.numel(), (long) in / spec.groups()), (long) kernelH * kernelW);
    }

    @Override
    public Tensor forward(Backend backend, List<Tensor> inputs, Weights w) {
        return backend.conv2d(inputs.get(0), w.get(weight), bias == null ? null : w.get(bias), spec);
    }
}
