package org.relprune.io.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each malformed file is rejected at open with a one-line message that starts with the path. */
class SafetensorsMalformedTest {
    @TempDir
    Path dir;

    /** Opens the file, expecting rejection; checks the message form and its distinctive words. */
    private static SafetensorsFormatException assertRejected(Path file, String... words) {
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class,
                () -> SafetensorsReader.open(file).close());
        String m = e.getMessage();
        assertFalse(m.contains("\n") || m.contains("\r"), () -> "multi-line message: " + m);
        assertTrue(m.startsWith(file.toString() + ": "), () -> "message does not start with the path: " + m);
        for (String w : words) {
            assertTrue(m.toLowerCase(Locale.ROOT).contains(w.toLowerCase(Locale.ROOT)),
                    () -> "message lacks '" + w + "': " + m);
        }
        return e;
    }

    private Path header(String json, int dataBytes) throws Exception {
        return RawFiles.withHeader(dir, "bad.safetensors", json, RawFiles.zeros(dataBytes));
    }

    private static String entry(String name, String dtype, String shape, String offsets) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}";
    }

    @Test
    void emptyFile() throws Exception {
        assertRejected(Files.write(dir.resolve("empty.safetensors"), new byte[0]), "truncated", "0 bytes");
    }

    @Test
    void fiveByteFile() throws Exception {
        assertRejected(Files.write(dir.resolve("five.safetensors"), new byte[5]), "truncated", "5 bytes");
    }

    @Test
    void headerLengthLargerThanFile() throws Exception {
        assertRejected(RawFiles.withDeclaredLength(dir, "short.safetensors", 1000, "{}".getBytes(StandardCharsets.UTF_8)),
                "header length 1000", "exceeds", "truncated");
    }

    @Test
    void headerLengthTwoToThe62IsRejectedBeforeAllocating() throws Exception {
        assertRejected(RawFiles.withDeclaredLength(dir, "huge.safetensors", 1L << 62, new byte[16]),
                "exceeds", "limit", Long.toString(1L << 62));
    }

    @Test
    void headerLengthAboveTwoToThe63IsShownUnsigned() throws Exception {
        assertRejected(RawFiles.withDeclaredLength(dir, "neg.safetensors", -1L, new byte[16]),
                "exceeds", "18446744073709551615");
    }

    @Test
    void headerNotJson() throws Exception {
        assertRejected(header("this is not json", 0), "not valid json");
    }

    @Test
    void headerNotUtf8() throws Exception {
        byte[] bad = {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'};
        assertRejected(RawFiles.withHeaderBytes(dir, "utf.safetensors", bad, new byte[0]), "utf-8");
    }

    @Test
    void headerIsJsonArray() throws Exception {
        assertRejected(header("[1, 2]", 0), "must be a json object", "array");
    }

    @Test
    void trailingContentAfterHeaderObject() throws Exception {
        assertRejected(header("{} {}", 0), "json");
    }

    @Test
    void entryNotAnObject() throws Exception {
        SafetensorsFormatException e = assertRejected(header("{\"w\": 5}", 0), "tensor 'w'", "object");
        assertEquals("w", e.tensor());
    }

    @Test
    void entryMissingDataOffsets() throws Exception {
        assertRejected(header("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4), "tensor 'w'", "missing", "data_offsets");
    }

    @Test
    void entryWithUnexpectedKey() throws Exception {
        assertRejected(header("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"extra\":1}}", 4),
                "tensor 'w'", "unexpected key 'extra'");
    }

    @Test
    void duplicateTensorName() throws Exception {
        assertRejected(header("{" + entry("w", "F32", "[1]", "[0,4]") + "," + entry("w", "F32", "[1]", "[4,8]") + "}", 8),
                "tensor 'w'", "more than once");
    }

    @Test
    void unknownDtype() throws Exception {
        assertRejected(header("{" + entry("w", "F8_E9", "[1]", "[0,1]") + "}", 1), "tensor 'w'", "dtype", "F8_E9");
    }

    @Test
    void dtypeNotAString() throws Exception {
        assertRejected(header("{\"w\":{\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "tensor 'w'", "dtype");
    }

    @Test
    void negativeDimension() throws Exception {
        assertRejected(header("{" + entry("w", "F32", "[2,-3]", "[0,24]") + "}", 24), "tensor 'w'", "shape", "negative");
    }

    @Test
    void nonIntegerDimension() throws Exception {
        assertRejected(header("{" + entry("w", "F32", "[1.5]", "[0,4]") + "}", 4), "shape", "not an integer");
    }

    @Test
    void dimensionBeyondLong() throws Exception {
        assertRejected(header("{" + entry("w", "F32", "[18446744073709551616]", "[0,4]") + "}", 4), "shape", "too large");
    }

    @Test
    void shapeProductOverflows() throws Exception {
        assertRejected(header("{" + entry("w", "F32", "[4294967296,4294967296]", "[0,4]") + "}", 4),
                "tensor 'w'", "overflow");
    }

    @Test
    void byteCountNotMatchingShape() throws Exception {
        assertRejected(header("{" + entry("w", "F32", "[2,2]", "[0,12]") + "}", 16),
                "tensor 'w'", "12 bytes", "needs 16 bytes");
    }

    @Test
    void offsetsPastEndOfData() throws Exception {
        assertRejected(header("{" + entry("w", "F32", "[4]", "[0,16]") + "}", 8), "tensor 'w'", "exceeds", "8 bytes");
    }

    @Test
    void beginAfterEnd() throws Exception {
        assertRejected(header("{" + entry("w", "F32", "[1]", "[8,4]") + "}", 8), "tensor 'w'", "begin 8", "greater");
    }

    @Test
    void dataOffsetsWithThreeValues() throws Exception {
        assertRejected(header("{" + entry("w", "F32", "[1]", "[0,4,8]") + "}", 8), "tensor 'w'", "data_offsets");
    }

    @Test
    void overlappingOffsets() throws Exception {
        SafetensorsFormatException e = assertRejected(
                header("{" + entry("fc.bias", "F32", "[4]", "[0,16]") + "," + entry("conv1.weight", "F32", "[4]", "[8,24]") + "}", 24),
                "tensor 'conv1.weight'", "data [8, 24) overlaps tensor 'fc.bias' [0, 16)");
        assertEquals("conv1.weight", e.tensor());
    }

    @Test
    void metadataWithNonStringValue() throws Exception {
        assertRejected(header("{\"__metadata__\":{\"epoch\":3}}", 0), "__metadata__", "epoch", "string");
    }

    @Test
    void metadataNotAnObject() throws Exception {
        assertRejected(header("{\"__metadata__\":\"pt\"}", 0), "__metadata__", "object");
    }

    @Test
    void tensorNameWithLineBreakStillGivesOneLineMessage() throws Exception {
        assertRejected(header("{" + entry("a\\nb", "F99", "[1]", "[0,1]") + "}", 1), "dtype", "F99");
    }

    @Test
    void zeroSizeTensorsAndGapsAreLegal() throws Exception {
        Path file = header("{" + entry("w", "F32", "[2]", "[0,8]") + "," + entry("e", "F32", "[0,3]", "[4,4]") + ","
                + entry("z", "I64", "[0]", "[8,8]") + "}", 12);
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            assertEquals(0, r.readFloat("e").data().length);
            assertArrayEquals(new long[0], r.readLongs("z"));
            assertArrayEquals(new float[] {0f, 0f}, r.readFloat("w").data());
        }
    }
}
