package org.relprune.tensor;

/**
 * The memory behind a {@link Tensor}, owned by the backend that made it. Views share the
 * underlying memory; each Storage object is released exactly once by its Tensor.
 */
public interface Storage {
    /** Gives this reference to the memory back; the memory is freed when no view holds it. */
    void release();
}
