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
 * One operation of the graph IR. Shapes here are per sample (no batch axis); at run time every
 * tensor carries the batch as its first axis.
 *
 * <p>Sealed: the layers of this package are all there is, so code that dispatches on the layer
 * type (forward, LRP, pruning, export) can rely on knowing every case. The interface lives in
 * this package, not in {@code model}, because the project is no JPMS module and a sealed type's
 * permitted subclasses must then share its package.
 */
public sealed interface Layer permits AdaptiveAvgPool2d, Add, AttentionCore, AvgPool2d, BatchNorm2d, Conv2d, Flatten, GELU, Input,
        LayerNorm, Linear, MaxPool2d, ReLU, SelectToken, VitEmbedding {
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
