package org.relprune.io.safetensors;

/**
 * 16-bit float decoding. Java 17 has no {@code Float.float16ToFloat} (added in Java 20), so the
 * IEEE binary16 conversion is done by hand; both conversions are exact (every half and bfloat16
 * value is representable as a float).
 */
public final class HalfFloats {
    private HalfFloats() {
    }

    /** IEEE 754 binary16 to float, including subnormals, infinities and NaN (payload kept). */
    public static float f16ToFloat(short half) {
        int bits = half & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1F;
        int mantissa = bits & 0x3FF;
        if (exponent == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F80_0000 | (mantissa << 13));
        }
        if (exponent == 0) {
            // Zero or subnormal: mantissa * 2^-24, exact in float (a normal float there).
            float magnitude = mantissa * 0x1p-24f;
            return sign != 0 ? -magnitude : magnitude;
        }
        // Rebias the exponent from 15 to 127 and widen the mantissa from 10 to 23 bits.
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    /** bfloat16 is the upper half of a float32. */
    public static float bf16ToFloat(short bf16) {
        return Float.intBitsToFloat((bf16 & 0xFFFF) << 16);
    }
}
