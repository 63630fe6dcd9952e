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

    /** Samples {@code from} (inclusive) to {@code to} (exclusive) along the first dimension, copied. */
    public HostTensor rows(int from, int to) {
        long[] dims = shape.dims();
        if (dims.length == 0 || from < 0 || to > dims[0] || from > to) {
            throw new IndexOutOfBoundsException("rows " + from + ".." + to + " of " + shape);
        }
        int per = dims[0] == 0 ? 0 : (int) (data.length / dims[0]);
        dims[0] = to - from;
        return new HostTensor(Shape.of(dims), java.util.Arrays.copyOfRange(data, from * per, to * per));
    }

    /** The parts stacked along the first dimension; every other dimension must agree. */
    public static HostTensor concatRows(java.util.List<HostTensor> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("concatRows: no tensors");
        }
        long[] dims = parts.get(0).shape().dims();
        if (dims.length == 0) {
            throw new IllegalArgumentException("concatRows: a scalar has no rows");
        }
        long rows = 0;
        for (HostTensor t : parts) {
            long[] d = t.shape().dims();
            boolean same = d.length == dims.length;
            for (int i = 1; same && i < d.length; i++) {
                same = d[i] == dims[i];
            }
            if (!same) {
                throw new IllegalArgumentException("concatRows: " + t.shape() + " does not stack with " + parts.get(0).shape());
            }
            rows += d[0];
        }
        dims[0] = rows;
        Shape out = Shape.of(dims);
        float[] v = new float[out.numelInt()];
        int at = 0;
        for (HostTensor t : parts) {
            System.arraycopy(t.data(), 0, v, at, t.data().length);
            at += t.data().length;
        }
        return new HostTensor(out, v);
    }
}
