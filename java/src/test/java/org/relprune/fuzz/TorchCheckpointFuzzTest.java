package org.relprune.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Timeout;
import org.relprune.io.WeightFiles;
import org.relprune.io.pytorch.TorchCheckpoint;

/**
 * {@link TorchCheckpoint}, the data-only reader of torch.save zip archives (the pickle is
 * interpreted, never executed), reached as the commands reach it, through {@link WeightFiles}:
 * the input is the whole .pt file. Seeds are torch.save layouts of TorchCheckpointTest's Python
 * fixtures (stored zip records, OrderedDict pickle, shared and half-precision storages).
 */
class TorchCheckpointFuzzTest {
    private static final Path DIR = Contract.scratch("pt");

    @FuzzTest(maxDuration = FuzzSettings.CI_DURATION)
    @Timeout(FuzzSettings.TIMEOUT_SECONDS)
    void read(byte[] data) throws IOException {
        Path file = Files.write(DIR.resolve("model.pt"), data);
        try {
            WeightFiles.read(file);
        } catch (IOException | IllegalArgumentException e) {
            Contract.rejected(e);
        }
    }
}
