package org.relprune.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Timeout;
import org.relprune.io.data.CifarDataset;

/**
 * {@link CifarDataset}: a CIFAR-10 or CIFAR-100 binary file, with or without its class-names file.
 * Input layout: one flags byte (bit 0: CIFAR-100 {@code train.bin}, else CIFAR-10
 * {@code data_batch_1.bin}; bit 1: a names file beside it; bit 2: read the folder rather than the
 * file), a big-endian u16 length L, L bytes of the names file, then the data file.
 */
class CifarDatasetFuzzTest {
    private static final Path DIR = Contract.scratch("cifar");

    @FuzzTest(maxDuration = FuzzSettings.CI_DURATION)
    @Timeout(FuzzSettings.TIMEOUT_SECONDS)
    void read(byte[] data) throws IOException {
        Contract.clear(DIR);
        int flags = data.length > 0 ? data[0] : 0;
        boolean cifar100 = (flags & 1) != 0;
        int namesLength = Contract.u16(data, 1);
        byte[] names = Contract.slice(data, 3, 3 + namesLength);
        byte[] records = Contract.slice(data, 3 + namesLength, data.length);
        Path file = Files.write(DIR.resolve(cifar100 ? "train.bin" : "data_batch_1.bin"), records);
        if ((flags & 2) != 0) {
            Files.write(DIR.resolve(cifar100 ? "fine_label_names.txt" : "batches.meta.txt"), names);
        }
        try {
            CifarDataset.read((flags & 4) != 0 ? DIR : file);
        } catch (IOException | IllegalArgumentException e) {
            Contract.rejected(e);
        }
    }
}
