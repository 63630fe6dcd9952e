package org.relprune.tensor;

/** Element type of a device tensor. Everything computes in F32 today; BF16 is reserved for cached activations. */
public enum DType {
    F32(4),
    BF16(2);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }
}
