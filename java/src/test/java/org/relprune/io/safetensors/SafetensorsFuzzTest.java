package org.relprune.io.safetensors;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Shape;

/**
 * Corrupted files (seeded random byte edits and truncations of a valid one) may open or not, but
 * opening and reading them must never throw anything other than an {@link IOException}.
 */
class SafetensorsFuzzTest {
    @TempDir
    Path dir;

    @Test
    void corruptedFilesOnlyEverFailWithIOException() throws Exception {
        Path valid = dir.resolve("valid.safetensors");
        SafetensorsWriter.builder()
                .addFloat("w", HostTensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3))
                .addLongs("y", Shape.of(2), new long[] {7, 8})
                .addFloat("s", HostTensor.of(new float[] {9}))
                .metadata("k", "v")
                .write(valid);
        byte[] original = Files.readAllBytes(valid);
        Random rnd = new Random(1234);
        Path file = dir.resolve("fuzz.safetensors");
        for (int round = 0; round < 3000; round++) {
            byte[] bytes = original.clone();
            if (round % 10 == 0) {
                bytes = Arrays.copyOf(bytes, rnd.nextInt(bytes.length));
            } else {
                for (int edits = 1 + rnd.nextInt(3); edits > 0; edits--) {
                    int at = rnd.nextInt(Math.min(bytes.length, round % 2 == 0 ? 16 : bytes.length));
                    bytes[at] = (byte) (round % 3 == 0 ? "{}[],:\"0123456789-.eE "
                            .charAt(rnd.nextInt(22)) : rnd.nextInt(256));
                }
            }
            Files.write(file, bytes);
            try (SafetensorsReader r = SafetensorsReader.open(file)) {
                for (TensorEntry e : r.entries().values()) {
                    r.readFloat(e.name());
                    if (!e.dtype().isFloatingPoint()) {
                        r.readLongs(e.name());
                    }
                }
            } catch (IOException expected) {
                // rejected cleanly
            } catch (RuntimeException | Error e) {
                fail("round " + round + ": " + e, e);
            }
        }
    }
}
