package org.relprune.model.layers;

import java.util.List;
import java.util.Map;
import org.relprune.backend.Backend;
import org.relprune.backend.TrainingBackend;
import org.relprune.model.ParamSpec;
import org.relprune.model.Weights;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Shape;
import org.relprune.tensor.Tensor;

/**
 * torch.nn.BatchNorm2d in inference mode. The running statistics are folded once, at load time,
 * into a per-channel scale = weight / sqrt(running_var + eps) and shift = bias - running_mean * scale
 * (computed in double precision).
 */
public record BatchNorm2d(int channels, double eps, String prefix) implements Layer {
    public static final double DEFAULT_EPS = 1e-5;

    public String scaleName() {
        return prefix + "#scale";
    }

    public String shiftName() {
        return prefix + "#shift";
    }

    @Override
    public String kind() {
        return "batchnorm2d";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(ParamSpec.parameter(prefix + ".weight", channels), ParamSpec.parameter(prefix + ".bias", channels),
                ParamSpec.buffer(prefix + ".running_mean", channels), ParamSpec.buffer(prefix + ".running_var", channels),
                ParamSpec.optional(prefix + ".num_batches_tracked"));
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Shape x = inputs.get(0);
        if (x.rank() < 1 || x.dim(0) != channels) {
            throw new IllegalArgumentException("expects " + channels + " channels, got " + x);
        }
        return x;
    }

    @Override
    public Map<String, HostTensor> derived(Map<String, HostTensor> weights) {
        float[] gamma = weights.get(prefix + ".weight").data();
        float[] beta = weights.get(prefix + ".bias").data();
        float[] mean = weights.get(prefix + ".running_mean").data();
        float[] var = weights.get(prefix + ".running_var").data();
        float[] scale = new float[channels];
        float[] shift = new float[channels];
        for (int c = 0; c < channels; c++) {
            double s = gamma[c] / Math.sqrt((double) var[c] + eps);
            scale[c] = (float) s;
            shift[c] = (float) (beta[c] - mean[c] * s);
        }
        return Map.of(scaleName(), HostTensor.of(scale, channels), shiftName(), HostTensor.of(shift, channels));
    }

    @Override
    public Tensor forward(Backend backend, List<Tensor> inputs, Weights w) {
        return backend.channelAffine(inputs.get(0), w.get(scaleName()), w.get(shiftName()), false);
    }

    /** Batch statistics, running statistics updated with torch's default momentum 0.1. */
    @Override
    public Tensor forwardTraining(TrainingBackend backend, List<Tensor> inputs, Weights w) {
        return backend.batchNormTraining(inputs.get(0), w.get(prefix + ".weight"), w.get(prefix + ".bias"),
                w.get(prefix + ".running_mean"), w.get(prefix + ".running_var"), eps, 0.1);
    }
}
