package org.relprune.tensor;

import java.util.Objects;

/**
 * A float32 tensor in a Java array: what is read from and written to files, and what crosses
 * between the host and a {@link org.relprune.backend.Backend}. The array is not copied: the
 * holder decides who may mutate it.
 */
public record HostTensor(Shape shape, float[] data) {
    public HostTensor {
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(data, "data");
        if (shape.numel() != data.length) {
            throw new IllegalArgumentException("shape " + shape + " needs " + shape.numel() + " values, got " + data.length);
        }
    }

    public static HostTensor zeros(Shape shape) {
        return new HostTensor(shape, new float[shape.numelInt()]);
    }

    public static HostTensor of(float[] data, long... dims) {
        return new HostTensor(Shape.of(dims), data);
    }
}
