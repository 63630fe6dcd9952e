package org.relprune.io.safetensors;

import java.nio.ByteBuffer;

/**
 * Converts little-endian element bytes to Java arrays, a chunk at a time. The buffer must be in
 * little-endian order and hold at least {@code count} elements from its position; it is consumed.
 */
final class ElementDecoder {
    private ElementDecoder() {
    }

    /** Any dtype to float; integers are rounded to the nearest float (exact up to 2^24). */
    static void toFloats(SafeDType dtype, ByteBuffer src, float[] dst, int offset, int count) {
        switch (dtype) {
            case F32 -> {
                src.asFloatBuffer().get(dst, offset, count);
                src.position(src.position() + count * Float.BYTES);
            }
            case F16 -> {
                for (int i = 0; i < count; i++) {
                    dst[offset + i] = HalfFloats.f16ToFloat(src.getShort());
                }
            }
            case BF16 -> {
                for (int i = 0; i < count; i++) {
                    dst[offset + i] = HalfFloats.bf16ToFloat(src.getShort());
                }
            }
            case F64 -> {
                for (int i = 0; i < count; i++) {
                    dst[offset + i] = (float) src.getDouble();
                }
            }
            default -> {
                for (int i = 0; i < count; i++) {
                    dst[offset + i] = (float) nextInteger(dtype, src);
                }
            }
        }
    }

    /** Integer dtypes to long, exactly. */
    static void toLongs(SafeDType dtype, ByteBuffer src, long[] dst, int offset, int count) {
        if (dtype == SafeDType.I64) {
            src.asLongBuffer().get(dst, offset, count);
            src.position(src.position() + count * Long.BYTES);
            return;
        }
        for (int i = 0; i < count; i++) {
            dst[offset + i] = nextInteger(dtype, src);
        }
    }

    /** BOOL: any non-zero byte is true (1), as numpy and torch read it. */
    private static long nextInteger(SafeDType dtype, ByteBuffer src) {
        return switch (dtype) {
            case I64 -> src.getLong();
            case I32 -> src.getInt();
            case U8 -> src.get() & 0xFF;
            case BOOL -> src.get() != 0 ? 1 : 0;
            default -> throw new IllegalArgumentException(dtype + " is not an integer dtype");
        };
    }
}
