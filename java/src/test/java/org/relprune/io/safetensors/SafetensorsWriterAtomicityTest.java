package org.relprune.io.safetensors;

import org.relprune.io.AtomicFileWrite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relprune.tensor.HostTensor;

/** The writer replaces files atomically and never leaves a temporary file behind. */
class SafetensorsWriterAtomicityTest {
    @TempDir
    Path dir;

    private List<String> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writingAndReplacingLeavesOnlyTheTarget() throws Exception {
        Path file = dir.resolve("w.safetensors");
        SafetensorsWriter.write(file, Map.of("a", HostTensor.of(new float[] {1}, 1)), Map.of());
        SafetensorsWriter.write(file, Map.of("b", HostTensor.of(new float[] {2, 3}, 2)), Map.of("v", "2"));
        assertEquals(List.of("w.safetensors"), listing());
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            assertEquals(List.of("b"), List.copyOf(r.entries().keySet()));
            assertArrayEquals(new float[] {2, 3}, r.readFloat("b").data());
        }
    }

    @Test
    void missingParentDirectoryFailsNamingItAndLeavesNothing() throws Exception {
        Path parent = dir.resolve("missing");
        Path file = parent.resolve("w.safetensors");
        NoSuchFileException e = assertThrows(NoSuchFileException.class,
                () -> SafetensorsWriter.write(file, Map.of("a", HostTensor.of(new float[] {1}, 1)), Map.of()));
        assertTrue(e.getMessage().contains(parent.toString()), e.getMessage());
        assertEquals(List.of(), listing());
    }

    @Test
    void failureWhileWritingKeepsTheExistingFileAndRemovesTheTemp() throws Exception {
        Path file = dir.resolve("w.safetensors");
        SafetensorsWriter.write(file, Map.of("a", HostTensor.of(new float[] {1}, 1)), Map.of());
        byte[] before = Files.readAllBytes(file);
        IOException e = assertThrows(IOException.class, () -> AtomicFileWrite.write(file, channel -> {
            channel.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            throw new IOException("disk full (simulated)");
        }));
        assertEquals("disk full (simulated)", e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals(List.of("w.safetensors"), listing());
    }

    @Test
    void invalidInputDoesNotTouchTheExistingFile() throws Exception {
        Path file = dir.resolve("w.safetensors");
        SafetensorsWriter.write(file, Map.of("a", HostTensor.of(new float[] {1}, 1)), Map.of());
        byte[] before = Files.readAllBytes(file);
        assertThrows(IllegalArgumentException.class,
                () -> SafetensorsWriter.write(file, Map.of("__metadata__", HostTensor.of(new float[] {1}, 1)), Map.of()));
        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals(List.of("w.safetensors"), listing());
    }

    @Test
    void targetThatIsADirectoryIsRefused() throws Exception {
        Path target = Files.createDirectory(dir.resolve("w.safetensors"));
        assertThrows(IOException.class,
                () -> SafetensorsWriter.write(target, Map.of("a", HostTensor.of(new float[] {1}, 1)), Map.of()));
        assertTrue(Files.isDirectory(target));
        assertFalse(listing().stream().anyMatch(n -> n.contains(".tmp-")));
    }
}
