package org.relprune.backend.cpu;

import org.relprune.tensor.Shape;

/**
 * A tensor seen as [outer, c, inner] around its feature axis (the layout of the native LRP
 * kernels): a convolution's [n, c, h, w] with axis 1 is outer = n, inner = h*w; a dense
 * layer's [..., c] with axis -1 is outer = the leading dims, inner = 1.
 */
record FeatureLayout(long outer, long c, long inner) {
    static FeatureLayout of(Shape shape, int axis) {
        int a = axis < 0 ? shape.rank() + axis : axis;
        if (a < 0 || a >= shape.rank()) {
            throw new IllegalArgumentException("feature axis " + axis + " is outside " + shape);
        }
        long outer = 1;
        long inner = 1;
        for (int i = 0; i < a; i++) {
            outer *= shape.dim(i);
        }
        for (int i = a + 1; i < shape.rank(); i++) {
            inner *= shape.dim(i);
        }
        return new FeatureLayout(outer, shape.dim(a), inner);
    }
}
