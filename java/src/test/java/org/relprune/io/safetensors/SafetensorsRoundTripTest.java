package org.relprune.io.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Shape;

/** Writer output read back by the reader, and the writer's file layout. */
class SafetensorsRoundTripTest {
    @TempDir
    Path dir;

    private static HostTensor random(Random rnd, long... dims) {
        Shape shape = Shape.of(dims);
        float[] data = new float[shape.numelInt()];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) rnd.nextGaussian();
        }
        return new HostTensor(shape, data);
    }

    @Test
    void roundTripKeepsOrderShapesValuesAndMetadata() throws Exception {
        Random rnd = new Random(42);
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        tensors.put("conv1.weight", random(rnd, 4, 3, 3, 3));
        tensors.put("scalar", random(rnd));
        tensors.put("empty", random(rnd, 0, 3));
        tensors.put("fc.bias", random(rnd, 10));
        tensors.put("special", HostTensor.of(new float[] {Float.NaN, -0.0f, Float.POSITIVE_INFINITY, Float.MIN_VALUE}, 2, 2));
        tensors.put("ünïcode name", random(rnd, 1, 5));
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", "pt");
        metadata.put("note", "line1\nline2 \"quoted\" é");
        Path file = dir.resolve("weights.safetensors");

        SafetensorsWriter.write(file, tensors, metadata);

        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            assertEquals(List.copyOf(tensors.keySet()), List.copyOf(r.entries().keySet()));
            assertEquals(metadata, r.metadata());
            long expectedBegin = 0;
            for (Map.Entry<String, HostTensor> t : tensors.entrySet()) {
                TensorEntry e = r.entry(t.getKey());
                assertEquals(SafeDType.F32, e.dtype());
                assertEquals(expectedBegin, e.begin(), "tensors are contiguous in map order");
                expectedBegin = e.end();
                HostTensor back = r.readFloat(t.getKey());
                assertEquals(t.getValue().shape(), back.shape());
                assertArrayEquals(t.getValue().data(), back.data(), t.getKey());
            }
            assertEquals(0, r.entry("scalar").shape().rank());
            assertEquals(0, r.readFloat("empty").data().length);
            assertTrue(r.contains("fc.bias"));
            assertFalse(r.contains("fc.weight"));
        }
    }

    @Test
    void largeTensorSpanningSeveralReadChunks() throws Exception {
        HostTensor big = random(new Random(7), 3, 200_001);
        Path file = dir.resolve("big.safetensors");
        SafetensorsWriter.write(file, Map.of("big", big), Map.of());
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            assertArrayEquals(big.data(), r.readFloat("big").data());
        }
    }

    @Test
    void headerIsSpacePaddedToEightBytesAndEmptyMetadataOmitted() throws Exception {
        Path file = dir.resolve("w.safetensors");
        SafetensorsWriter.write(file, Map.of("a", HostTensor.of(new float[] {1, 2, 3}, 3)), Map.of());
        byte[] bytes = Files.readAllBytes(file);
        long headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        assertEquals(0, headerLength % 8);
        assertEquals(8 + headerLength + 12, bytes.length);
        String header = new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8);
        assertEquals("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]}}", header.stripTrailing());
        assertTrue(header.substring(header.stripTrailing().length()).chars().allMatch(c -> c == ' '));
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            assertTrue(r.metadata().isEmpty());
        }
    }

    @Test
    void builderWritesFloatsAndLongsWithMetadata() throws Exception {
        long[] labels = {3, -1, Long.MAX_VALUE, Long.MIN_VALUE, 0, 9};
        HostTensor logits = random(new Random(1), 6, 10);
        Path file = dir.resolve("batch.safetensors");
        SafetensorsWriter.builder()
                .addFloat("logits", logits)
                .addLongs("labels", Shape.of(6), labels)
                .addLongs("none", Shape.of(0), new long[0])
                .metadata("split", "val")
                .write(file);
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            assertEquals(SafeDType.I64, r.entry("labels").dtype());
            assertArrayEquals(labels, r.readLongs("labels"));
            assertArrayEquals(new long[0], r.readLongs("none"));
            assertArrayEquals(logits.data(), r.readFloat("logits").data());
            assertEquals(Map.of("split", "val"), r.metadata());
        }
    }

    @Test
    void writerRejectsReservedAndEmptyNamesAndBadArguments() {
        Path file = dir.resolve("bad.safetensors");
        HostTensor t = HostTensor.of(new float[] {1}, 1);
        assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.write(file, Map.of("", t), Map.of()));
        assertThrows(IllegalArgumentException.class,
                () -> SafetensorsWriter.write(file, Map.of("__metadata__", t), Map.of()));
        assertThrows(IllegalArgumentException.class,
                () -> SafetensorsWriter.builder().addFloat("x", t).addLongs("x", Shape.of(1), new long[1]));
        assertThrows(IllegalArgumentException.class,
                () -> SafetensorsWriter.builder().addLongs("y", Shape.of(2), new long[3]));
        assertFalse(Files.exists(file));
    }

    @Test
    void missingTensorErrorNamesItAndListsUpToTenAvailable() throws Exception {
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        for (int i = 0; i < 12; i++) {
            tensors.put("t" + i, HostTensor.of(new float[] {i}, 1));
        }
        Path file = dir.resolve("many.safetensors");
        SafetensorsWriter.write(file, tensors, null);
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> r.readFloat("nope"));
            String m = e.getMessage();
            assertTrue(m.startsWith(file.toString()), m);
            assertTrue(m.contains("'nope'") && m.contains("t0, t1") && m.contains("t9") && m.contains("2 more"), m);
            assertFalse(m.contains("t10"), m);
        }
    }

    @Test
    void tooManyElementsForAJavaArrayIsAClearError() {
        Path file = dir.resolve("huge.safetensors");
        TensorEntry huge = new TensorEntry("huge", SafeDType.U8, Shape.of(1L << 31), 0, 1L << 31);
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class,
                () -> SafetensorsReader.checkArrayLength(file, huge));
        assertTrue(e.getMessage().startsWith(file + ": tensor 'huge': "), e.getMessage());
        assertTrue(e.getMessage().contains("Java array"), e.getMessage());
    }

    @Test
    void readAfterCloseFailsWithIOException() throws Exception {
        Path file = dir.resolve("c.safetensors");
        SafetensorsWriter.write(file, Map.of("a", HostTensor.of(new float[] {1}, 1)), Map.of());
        SafetensorsReader r = SafetensorsReader.open(file);
        r.close();
        assertThrows(IOException.class, () -> r.readFloat("a"));
    }
}
