package org.relprune.io.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.relprune.tensor.Shape;

/** The committed demo data (data/mnist) reads as documented in its README. */
class MnistDemoDataTest {
    /** Maven runs the module's tests in java/, one level below the repository root. */
    private static final Path MNIST = Path.of("..", "data", "mnist");

    @Test
    void tenThousandDigitsInTenClasses() throws Exception {
        ImageDataset d = IdxDataset.read(MNIST);
        assertEquals(10_000, d.size());
        assertEquals(Shape.of(1, 28, 28), d.sampleShape());
        assertEquals(10, d.numClasses());
        int[] counts = new int[10];
        for (int l : d.labels()) {
            counts[l]++;
        }
        for (int c = 0; c < 10; c++) {
            int n = counts[c];
            assertTrue(n >= 863 && n <= 1127, "class " + c + " has " + n + " images");
        }
        float[][] stats = ImageDataset.channelStats(d, ClassShuffle.all(d.size()));
        // MNIST's well-known statistics (0.1307, 0.3081) hold for this subset to about 1%.
        assertEquals(0.1307, stats[0][0], 0.005);
        assertEquals(0.3081, stats[1][0], 0.005);
    }
}
