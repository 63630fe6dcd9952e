package org.relprune.io.safetensors;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The element types this package understands, spelled as in the safetensors header. Floating
 * types are read as float32; integer types are read exactly with
 * {@link SafetensorsReader#readLongs} (or approximately as floats). A file using any other dtype
 * is rejected at open, so a reader never holds an entry it cannot read.
 */
public enum SafeDType {
    F32(4, true),
    F16(2, true),
    BF16(2, true),
    F64(8, true),
    I64(8, false),
    I32(4, false),
    U8(1, false),
    BOOL(1, false);

    private final int byteSize;
    private final boolean floatingPoint;

    SafeDType(int byteSize, boolean floatingPoint) {
        this.byteSize = byteSize;
        this.floatingPoint = floatingPoint;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    public boolean isFloatingPoint() {
        return floatingPoint;
    }

    /** The header spelling (the enum constant names match it exactly). */
    public String headerName() {
        return name();
    }

    /**
     * Parses a header dtype string; case-sensitive, as in the format.
     *
     * @throws IllegalArgumentException naming the unknown dtype and the known ones
     */
    public static SafeDType fromHeaderName(String name) {
        for (SafeDType t : values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        String known = Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
        throw new IllegalArgumentException("unknown dtype '" + name + "' (supported: " + known + ")");
    }
}
