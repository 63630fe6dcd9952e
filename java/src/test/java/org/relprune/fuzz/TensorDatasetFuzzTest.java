package org.relprune.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Timeout;
import org.relprune.io.data.Datasets;

/**
 * A dataset saved as tensors ({@code images} [N, C, H, W], {@code labels} [N], optional metadata
 * {@code num_classes} and {@code class_names}), opened as the commands open it, through
 * {@link Datasets#open}: the input is the whole .safetensors file.
 */
class TensorDatasetFuzzTest {
    private static final Path DIR = Contract.scratch("tensor-dataset");

    @FuzzTest(maxDuration = FuzzSettings.CI_DURATION)
    @Timeout(FuzzSettings.TIMEOUT_SECONDS)
    void read(byte[] data) throws IOException {
        Path file = Files.write(DIR.resolve("data.safetensors"), data);
        try {
            Datasets.open(file);
        } catch (IOException | IllegalArgumentException e) {
            Contract.rejected(e);
        }
    }
}
