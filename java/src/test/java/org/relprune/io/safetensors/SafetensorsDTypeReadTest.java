package org.relprune.io.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Shape;

/** Reads hand-made files of each dtype and checks the exact converted values. */
class SafetensorsDTypeReadTest {
    @TempDir
    Path dir;

    @Test
    void f16ValuesIncludingSubnormalsAndSpecials() throws Exception {
        short[] bits = {
            0x3E00, (short) 0xC000, 0x7BFF, 0x0001, 0x03FF, 0x0400, (short) 0x8000,
            0x7C00, (short) 0xFC00, 0x7E00, 0x3C00, (short) 0x8001,
        };
        float[] expected = {
            1.5f, -2.0f, 65504f, 0x1p-24f, 1023 * 0x1p-24f, 0x1p-14f, -0.0f,
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 1.0f, -0x1p-24f,
        };
        ByteBuffer data = RawFiles.le(bits.length * 2);
        for (short b : bits) {
            data.putShort(b);
        }
        Path file = RawFiles.withHeader(dir, "f16.safetensors",
                "{\"h\":{\"dtype\":\"F16\",\"shape\":[3,4],\"data_offsets\":[0,24]}}", data.array());
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            HostTensor t = r.readFloat("h");
            assertEquals(Shape.of(3, 4), t.shape());
            assertArrayEquals(expected, t.data()); // compares bits: -0.0 and NaN included
            assertEquals(SafeDType.F16, r.entry("h").dtype());
        }
    }

    @Test
    void bf16Values() throws Exception {
        ByteBuffer data = RawFiles.le(8);
        data.putShort((short) 0x4049).putShort((short) 0xBF80).putShort((short) 0x0001).putShort((short) 0x7F80);
        Path file = RawFiles.withHeader(dir, "bf16.safetensors",
                "{\"b\":{\"dtype\":\"BF16\",\"shape\":[2,2],\"data_offsets\":[0,8]}}", data.array());
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            assertArrayEquals(new float[] {3.140625f, -1.0f, Float.intBitsToFloat(0x0001_0000), Float.POSITIVE_INFINITY},
                    r.readFloat("b").data());
        }
    }

    @Test
    void f64IsRoundedToFloat() throws Exception {
        double[] values = {1.5, -2.0, 0.1, 1e300, 1e-50, 65504.0};
        ByteBuffer data = RawFiles.le(values.length * 8);
        for (double v : values) {
            data.putDouble(v);
        }
        Path file = RawFiles.withHeader(dir, "f64.safetensors",
                "{\"d\":{\"dtype\":\"F64\",\"shape\":[6],\"data_offsets\":[0,48]}}", data.array());
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            assertArrayEquals(new float[] {1.5f, -2.0f, 0.1f, Float.POSITIVE_INFINITY, 0.0f, 65504f},
                    r.readFloat("d").data());
        }
    }

    @Test
    void i64ReadExactlyAsLongsAndRoundedAsFloats() throws Exception {
        long[] values = {-1, 0, 1L << 62, Long.MIN_VALUE, Long.MAX_VALUE, 16_777_217};
        ByteBuffer data = RawFiles.le(values.length * 8);
        for (long v : values) {
            data.putLong(v);
        }
        Path file = RawFiles.withHeader(dir, "i64.safetensors",
                "{\"__metadata__\":{\"format\":\"pt\"},\"labels\":{\"dtype\":\"I64\",\"shape\":[2,3],\"data_offsets\":[0,48]}}",
                data.array());
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            assertEquals(Map.of("format", "pt"), r.metadata());
            assertArrayEquals(values, r.readLongs("labels"));
            assertArrayEquals(new float[] {-1f, 0f, 0x1p62f, -0x1p63f, 0x1p63f, 16_777_216f}, r.readFloat("labels").data());
        }
    }

    @Test
    void smallIntegerTypesAndBool() throws Exception {
        ByteBuffer data = RawFiles.le(8 + 3 + 3);
        data.putInt(-7).putInt(Integer.MAX_VALUE);
        data.put((byte) 0).put((byte) 200).put((byte) 255);
        data.put((byte) 0).put((byte) 1).put((byte) 2);
        Path file = RawFiles.withHeader(dir, "ints.safetensors", "{"
                + "\"i\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"u\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[8,11]},"
                + "\"m\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[11,14]}}", data.array());
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            assertEquals(List.of("i", "u", "m"), List.copyOf(r.entries().keySet()));
            assertArrayEquals(new long[] {-7, Integer.MAX_VALUE}, r.readLongs("i"));
            assertArrayEquals(new long[] {0, 200, 255}, r.readLongs("u"));
            assertArrayEquals(new long[] {0, 1, 1}, r.readLongs("m"));
            assertArrayEquals(new float[] {0f, 200f, 255f}, r.readFloat("u").data());
        }
    }

    @Test
    void readLongsRefusesFloatingPoint() throws Exception {
        Path file = RawFiles.withHeader(dir, "f32.safetensors",
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", RawFiles.zeros(4));
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> r.readLongs("w"));
            assertTrue(e.getMessage().contains("integer"), e.getMessage());
            assertEquals("w", e.tensor());
        }
    }
}
