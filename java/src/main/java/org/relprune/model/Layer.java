package org.relprune.model;

import java.util.List;
import java.util.Map;
import org.relprune.backend.Backend;
import org.relprune.backend.TrainingBackend;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Shape;
import org.relprune.tensor.Tensor;

/**
 * One operation of the graph IR. Shapes here are per sample (no batch axis); at run time every
 * tensor carries the batch as its first axis.
 */
public interface Layer {
    /** Short kind name used in JSON output, e.g. "conv2d". */
    String kind();

    /** The weights this layer reads, by full torchvision name. */
    default List<ParamSpec> params() {
        return List.of();
    }

    /** Per-sample output shape; throws IllegalArgumentException naming the mismatch. */
    Shape outputShape(List<Shape> inputs);

    /** Multiply-accumulates per sample (convolutions, linear maps and attention products only). */
    default long macs(List<Shape> inputs) {
        return 0;
    }

    /**
     * Tensors computed once from the weights when a model is loaded (e.g. BatchNorm's folded
     * scale and shift), keyed by names that contain '#' so they never clash with file names.
     */
    default Map<String, HostTensor> derived(Map<String, HostTensor> weights) {
        return Map.of();
    }

    Tensor forward(Backend backend, List<Tensor> inputs, Weights weights);

    /** The forward pass in training mode; the same as inference for every layer but BatchNorm. */
    default Tensor forwardTraining(TrainingBackend backend, List<Tensor> inputs, Weights weights) {
        return forward(backend, inputs, weights);
    }
}
