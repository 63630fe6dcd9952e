package org.relprune.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Timeout;
import org.relprune.io.data.IdxDataset;

/**
 * {@link IdxDataset}: an MNIST-style folder of two files, plain or gzip. Input layout: one flags
 * byte (bit 0: the dot spelling {@code images.idx3-ubyte} of some mirrors, bit 1: a {@code .gz}
 * suffix), a big-endian u16 length L, L bytes of the labels file, then the images file.
 */
class IdxDatasetFuzzTest {
    private static final Path DIR = Contract.scratch("idx");

    @FuzzTest(maxDuration = FuzzSettings.CI_DURATION)
    @Timeout(FuzzSettings.TIMEOUT_SECONDS)
    void read(byte[] data) throws IOException {
        Contract.clear(DIR);
        int flags = data.length > 0 ? data[0] : 0;
        String sep = (flags & 1) != 0 ? "." : "-";
        String gz = (flags & 2) != 0 ? ".gz" : "";
        int labelsLength = Contract.u16(data, 1);
        byte[] labels = Contract.slice(data, 3, 3 + labelsLength);
        byte[] images = Contract.slice(data, 3 + labelsLength, data.length);
        Files.write(DIR.resolve("t10k" + sep + "labels" + sep + "idx1-ubyte" + gz), labels);
        Files.write(DIR.resolve("t10k" + sep + "images" + sep + "idx3-ubyte" + gz), images);
        try {
            IdxDataset.read(DIR);
        } catch (IOException | IllegalArgumentException e) {
            Contract.rejected(e);
        }
    }
}
