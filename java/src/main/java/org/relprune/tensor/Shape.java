package org.relprune.tensor;

import java.util.Arrays;

/** An immutable tensor shape: non-negative dimension sizes, outermost first (row-major). */
public final class Shape {
    private final long[] dims;

    private Shape(long[] dims) {
        this.dims = dims;
    }

    public static Shape of(long... dims) {
        long[] copy = dims.clone();
        long count = 1;
        for (long d : copy) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(copy));
            }
            try {
                count = Math.multiplyExact(count, Math.max(d, 1));
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("shape " + Arrays.toString(copy) + " has more than 2^63 elements");
            }
        }
        return new Shape(copy);
    }

    public static Shape of(int... dims) {
        return of(Arrays.stream(dims).asLongStream().toArray());
    }

    public int rank() {
        return dims.length;
    }

    public long dim(int axis) {
        return dims[axis < 0 ? dims.length + axis : axis];
    }

    /** Dimension sizes as a fresh array. */
    public long[] dims() {
        return dims.clone();
    }

    /** Number of elements (1 for a scalar). */
    public long numel() {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    /** Product of the dimensions from {@code axis} on. */
    public long numelFrom(int axis) {
        long n = 1;
        for (int i = axis; i < dims.length; i++) {
            n *= dims[i];
        }
        return n;
    }

    /** Element count as an int, for host arrays; fails clearly above 2^31 - 1. */
    public int numelInt() {
        long n = numel();
        if (n > Integer.MAX_VALUE) {
            throw new IllegalStateException("tensor of shape " + this + " has " + n + " elements, too many for one host array");
        }
        return (int) n;
    }

    public Shape withDim(int axis, long size) {
        long[] d = dims.clone();
        d[axis < 0 ? d.length + axis : axis] = size;
        return of(d);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
