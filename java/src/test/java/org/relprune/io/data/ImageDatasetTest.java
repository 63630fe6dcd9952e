package org.relprune.io.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Shape;

class ImageDatasetTest {
    /** Three 2-channel 1x2 images with distinct values in [0, 1]. */
    private static ImageDataset data() {
        float[] px = {
            0.0f, 0.1f, 0.5f, 0.6f,
            0.2f, 0.3f, 0.7f, 0.9f,
            0.4f, 0.4f, 1.0f, 0.8f};
        return ImageDataset.of(px, new int[] {1, 0, 2}, Shape.of(2, 1, 2), List.of("a", "b", "c"), "memory", false);
    }

    @Test
    void accessors() {
        ImageDataset d = data();
        assertEquals(3, d.size());
        assertEquals(3, d.numClasses());
        assertEquals(Shape.of(2, 1, 2), d.sampleShape());
        assertEquals(2, d.label(2));
        int[] labels = d.labels();
        labels[0] = 99;
        assertEquals(1, d.label(0), "labels() hands out a copy");
        assertFalse(d.normalized());
    }

    @Test
    void batchStacksInTheGivenOrder() {
        HostTensor b = data().batch(new int[] {2, 0, 2});
        assertEquals(Shape.of(3, 2, 1, 2), b.shape());
        assertArrayEquals(new float[] {0.4f, 0.4f, 1.0f, 0.8f, 0.0f, 0.1f, 0.5f, 0.6f, 0.4f, 0.4f, 1.0f, 0.8f}, b.data());
        assertThrows(IndexOutOfBoundsException.class, () -> data().batch(new int[] {3}));
    }

    @Test
    void subsetKeepsClassesAndLabels() {
        ImageDataset s = data().subset(new int[] {2, 1});
        assertArrayEquals(new int[] {2, 0}, s.labels());
        assertEquals(3, s.numClasses());
        assertArrayEquals(new float[] {0.4f, 0.4f, 1.0f, 0.8f, 0.2f, 0.3f, 0.7f, 0.9f}, s.batch(new int[] {0, 1}).data());
    }

    @Test
    void normalizedAppliesPerChannel() {
        ImageDataset n = data().normalized(new float[] {0.2f, 0.5f}, new float[] {0.5f, 0.25f});
        assertTrue(n.normalized());
        float[] v = n.batch(new int[] {0}).data();
        assertArrayEquals(new float[] {(0f - 0.2f) / 0.5f, (0.1f - 0.2f) / 0.5f, (0.5f - 0.5f) / 0.25f, (0.6f - 0.5f) / 0.25f}, v);
        assertThrows(IllegalStateException.class, () -> n.normalized(new float[] {0, 0}, new float[] {1, 1}));
        assertThrows(IllegalArgumentException.class, () -> data().normalized(new float[] {0}, new float[] {1}));
        assertThrows(IllegalArgumentException.class, () -> data().normalized(new float[] {0, 0}, new float[] {1, 0}));
    }

    @Test
    void channelStatsArePopulationStatistics() {
        // Channel 0 of samples 0 and 2: 0.0, 0.1, 0.4, 0.4; channel 1: 0.5, 0.6, 1.0, 0.8.
        float[][] s = ImageDataset.channelStats(data(), new int[] {0, 2});
        double m0 = (0.0 + 0.1 + 0.4 + 0.4) / 4;
        double m1 = (0.5 + 0.6 + 1.0 + 0.8) / 4;
        double v0 = (m0 * m0 + (0.1 - m0) * (0.1 - m0) + 2 * (0.4 - m0) * (0.4 - m0)) / 4;
        double v1 = ((0.5 - m1) * (0.5 - m1) + (0.6 - m1) * (0.6 - m1) + (1.0 - m1) * (1.0 - m1) + (0.8 - m1) * (0.8 - m1)) / 4;
        assertEquals(m0, s[0][0], 1e-6);
        assertEquals(m1, s[0][1], 1e-6);
        assertEquals(Math.sqrt(v0), s[1][0], 1e-6);
        assertEquals(Math.sqrt(v1), s[1][1], 1e-6);
        assertThrows(IllegalArgumentException.class, () -> ImageDataset.channelStats(data(), new int[0]));
    }

    @Test
    void normalizingWithItsOwnStatsGivesZeroMeanUnitStd() {
        ImageDataset d = data();
        int[] all = {0, 1, 2};
        float[][] s = ImageDataset.channelStats(d, all);
        float[][] after = ImageDataset.channelStats(d.normalized(s[0], s[1]), all);
        assertArrayEquals(new float[] {0, 0}, after[0], 1e-6f);
        assertArrayEquals(new float[] {1, 1}, after[1], 1e-5f);
    }

    @Test
    void constructionIsValidated() {
        assertThrows(IllegalArgumentException.class, () -> ImageDataset.of(new float[3], new int[] {0}, Shape.of(1, 1, 2),
                List.of("a"), "x", false));
        assertThrows(IllegalArgumentException.class, () -> ImageDataset.of(new float[2], new int[] {1}, Shape.of(1, 1, 2),
                List.of("a"), "x", false));
        assertThrows(IllegalArgumentException.class, () -> ImageDataset.of(new float[2], new int[] {0}, Shape.of(1, 2),
                List.of("a"), "x", false));
    }
}
