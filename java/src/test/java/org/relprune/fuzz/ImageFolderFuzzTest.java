package org.relprune.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Timeout;
import org.relprune.io.data.ImageFolderDataset;
import org.relprune.io.data.ImageTransform;

/**
 * {@link ImageFolderDataset}, which decodes PNG and JPEG images with ImageIO: the input is one
 * flags byte (bit 0: name the image .jpg, else .png) and the image file, placed as
 * {@code root/cat/0.png}. Decoding, RGB conversion and the resize/crop either succeed or fail with
 * a one-line DatasetFormatException naming the image; a declared size must never make the decoder
 * allocate more than the image can hold.
 */
class ImageFolderFuzzTest {
    private static final Path DIR = Contract.scratch("images");
    private static final ImageTransform TRANSFORM = new ImageTransform(8, 6);

    @FuzzTest(maxDuration = FuzzSettings.CI_DURATION)
    @Timeout(FuzzSettings.TIMEOUT_SECONDS)
    void read(byte[] data) throws IOException {
        Contract.clear(DIR);
        int flags = data.length > 0 ? data[0] : 0;
        Path classDir = Files.createDirectories(DIR.resolve("cat"));
        Files.write(classDir.resolve((flags & 1) != 0 ? "0.jpg" : "0.png"), Contract.slice(data, 1, data.length));
        try {
            ImageFolderDataset.read(DIR, TRANSFORM, 1);
        } catch (IOException | IllegalArgumentException e) {
            Contract.rejected(e);
        }
    }
}
