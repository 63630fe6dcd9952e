package org.relprune.model.layers;

import org.relprune.backend.Pool2dSpec;
import org.relprune.tensor.Shape;

/** Shape rule shared by the windowed pooling layers. */
final class Pooling {
    private Pooling() {
    }

    static Shape outputShape(Shape x, Pool2dSpec spec) {
        if (x.rank() != 3) {
            throw new IllegalArgumentException("expects [C, H, W], got " + x);
        }
        long oh = spec.outH(x.dim(1));
        long ow = spec.outW(x.dim(2));
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException("input " + x + " is smaller than the pooling window");
        }
        return Shape.of(x.dim(0), oh, ow);
    }
}
