package org.relprune.tensor;

/** Where a tensor's memory lives. */
public enum Device {
    CPU,
    CUDA;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
