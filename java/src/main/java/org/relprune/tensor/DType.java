package org.relprune.tensor;

/**
 * Element type of a device tensor. Everything computes in F32; BF16 is a storage type for cached
 * activations ({@link org.relprune.backend.Backend#convert}), refused by every computing operation.
 */
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
