package org.relprune.tensor;

import java.util.Objects;

/**
 * A dense, contiguous tensor on a device. Tensors are closed explicitly or by the
 * {@link TensorScope} they were created in; any use after close fails loudly.
 */
public final class Tensor implements AutoCloseable {
    private final Shape shape;
    private final DType dtype;
    private final Device device;
    private Storage storage;

    /** For backends: wraps storage and registers the tensor with the current scope. */
    public Tensor(Shape shape, DType dtype, Device device, Storage storage) {
        this.shape = Objects.requireNonNull(shape, "shape");
        this.dtype = Objects.requireNonNull(dtype, "dtype");
        this.device = Objects.requireNonNull(device, "device");
        this.storage = Objects.requireNonNull(storage, "storage");
        TensorScope.register(this);
    }

    public Shape shape() {
        return shape;
    }

    public DType dtype() {
        return dtype;
    }

    public Device device() {
        return device;
    }

    public long numel() {
        return shape.numel();
    }

    public boolean isClosed() {
        return storage == null;
    }

    /**
     * For backends: the storage of a float32 tensor, checked to be open and of the expected
     * implementation. Every computing operation goes through here, so a bf16 tensor (storage
     * only: cached activations) fails loudly until it is converted back.
     */
    public <S extends Storage> S storage(Class<S> kind) {
        if (dtype != DType.F32) {
            throw new IllegalArgumentException("tensor " + shape + " on " + device.label() + " holds " + dtype
                    + " storage (cached activations): convert it to F32 before computing with it");
        }
        return storage(kind, dtype);
    }

    /** For backends' conversions: the storage of a tensor of {@code expected} element type. */
    public <S extends Storage> S storage(Class<S> kind, DType expected) {
        if (dtype != expected) {
            throw new IllegalArgumentException("tensor " + shape + " on " + device.label() + " is " + dtype + ", not " + expected);
        }
        Storage s = storage;
        if (s == null) {
            throw new IllegalStateException("tensor " + shape + " on " + device.label() + " used after close");
        }
        if (!kind.isInstance(s)) {
            throw new IllegalArgumentException("tensor on " + device.label() + " (" + s.getClass().getSimpleName()
                    + ") passed to a backend that needs " + kind.getSimpleName());
        }
        return kind.cast(s);
    }

    /** Releases the memory; closing twice is harmless. */
    @Override
    public void close() {
        Storage s = storage;
        if (s != null) {
            storage = null;
            s.release();
        }
    }

    @Override
    public String toString() {
        return "Tensor" + shape + " " + dtype + " " + device.label() + (isClosed() ? " (closed)" : "");
    }
}
