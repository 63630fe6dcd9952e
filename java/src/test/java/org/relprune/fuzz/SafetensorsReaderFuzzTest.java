package org.relprune.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Timeout;
import org.relprune.io.safetensors.SafetensorsReader;
import org.relprune.io.safetensors.TensorEntry;

/**
 * {@link SafetensorsReader}: the input is the whole file. Opening it and reading every tensor (as
 * floats, and integer tensors as longs too) either succeeds or fails with a one-line
 * SafetensorsFormatException; never anything else, never a large allocation from a size field.
 * Seeds and regression inputs: src/test/resources/org/relprune/fuzz/SafetensorsReaderFuzzTestInputs/.
 */
class SafetensorsReaderFuzzTest {
    private static final Path DIR = Contract.scratch("safetensors");

    @FuzzTest(maxDuration = FuzzSettings.CI_DURATION)
    @Timeout(FuzzSettings.TIMEOUT_SECONDS)
    void open(byte[] data) throws IOException {
        Path file = Files.write(DIR.resolve("model.safetensors"), data);
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            for (TensorEntry e : r.entries().values()) {
                r.readFloat(e.name());
                if (!e.dtype().isFloatingPoint()) {
                    r.readLongs(e.name());
                }
            }
            r.metadata().forEach((k, v) -> { });
        } catch (IOException | IllegalArgumentException e) {
            Contract.rejected(e);
        }
    }
}
