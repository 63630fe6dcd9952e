package org.relprune.io.safetensors;

import java.util.Objects;
import org.relprune.tensor.Shape;

/**
 * One tensor's header entry, already validated. {@code begin} and {@code end} are byte offsets
 * relative to the start of the data section (just after the header), as in the file.
 */
public record TensorEntry(String name, SafeDType dtype, Shape shape, long begin, long end) {
    public TensorEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(shape, "shape");
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("bad data range [" + begin + ", " + end + ") for tensor '" + name + "'");
        }
    }

    public long numel() {
        return shape.numel();
    }

    public long byteSize() {
        return end - begin;
    }
}
