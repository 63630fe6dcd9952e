package org.relprune.lrp;

import org.relprune.backend.Backend;
import org.relprune.backend.Conv2dSpec;
import org.relprune.model.layers.Conv2d;
import org.relprune.model.layers.Linear;
import org.relprune.tensor.Shape;
import org.relprune.tensor.Tensor;

/**
 * A convolution or dense layer as LRP sees it: its (BatchNorm-folded) weight and bias, and its
 * forward and adjoint maps for any weight of the same layout.
 */
record LinearLayerView(String name, Tensor weight, Tensor bias, Conv2dSpec spec) {
    static LinearLayerView of(String name, Object layer, Tensor weight, Tensor bias) {
        if (layer instanceof Conv2d c) {
            return new LinearLayerView(name, weight, bias, c.spec());
        }
        if (layer instanceof Linear) {
            return new LinearLayerView(name, weight, bias, null);
        }
        throw new IllegalArgumentException(name + " is not a linear layer");
    }

    /** The feature axis of this layer's activations: channels for a convolution, the last axis for a dense layer. */
    int axis() {
        return isConv() ? 1 : -1;
    }

    boolean isConv() {
        return spec != null;
    }

    /** x -> m x (no bias), for a weight m shaped like this layer's (possibly with stacked input channels). */
    Tensor forward(Backend b, Tensor x, Tensor m) {
        return isConv() ? b.conv2d(x, m, null, spec) : b.linear(x, m, null);
    }

    /** s -> m^T s; {@code input} is the shape of the result. */
    Tensor adjoint(Backend b, Tensor s, Tensor m, Shape input) {
        return isConv() ? b.lrp().convAdjoint(s, m, spec, input) : b.lrp().linearAdjoint(s, m);
    }
}
