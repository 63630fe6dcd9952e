package org.relprune.io.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SplitsTest {
    /** 1000 samples: class c has 100 * (c + 1) samples for c = 0..3, interleaved. */
    private static int[] labels() {
        int[] sizes = {100, 200, 300, 400};
        int[] labels = new int[1000];
        int[] left = sizes.clone();
        int c = 0;
        for (int i = 0; i < labels.length; i++) {
            while (left[c] == 0) {
                c = (c + 1) % 4;
            }
            labels[i] = c;
            left[c]--;
            c = (c + 1) % 4;
        }
        return labels;
    }

    private static int count(int[] labels, int[] indices, int c) {
        return (int) Arrays.stream(indices).filter(i -> labels[i] == c).count();
    }

    @Test
    void sameSeedSameSplitOtherSeedDiffers() {
        int[] labels = labels();
        Splits.Split a = Splits.seeded(labels, 0.1, 0.2, 7);
        assertEquals(a, Splits.seeded(labels, 0.1, 0.2, 7));
        Splits.Split b = Splits.seeded(labels, 0.1, 0.2, 8);
        assertNotEquals(a, b);
        assertEquals(a.test().length, b.test().length);
    }

    @Test
    void stratifiedDisjointCompleteAndSorted() {
        int[] labels = labels();
        Splits.Split s = Splits.seeded(labels, 0.1, 0.25, 42);
        for (int c = 0; c < 4; c++) {
            int n = 100 * (c + 1);
            assertEquals(Math.round(n * 0.25), count(labels, s.test(), c), "test, class " + c);
            assertEquals(Math.round(n * 0.1), count(labels, s.validation(), c), "validation, class " + c);
            assertEquals(n - Math.round(n * 0.25) - Math.round(n * 0.1), count(labels, s.train(), c), "train, class " + c);
        }
        int[] all = IntStream.concat(IntStream.concat(Arrays.stream(s.train()), Arrays.stream(s.validation())),
                Arrays.stream(s.test())).sorted().toArray();
        assertArrayEquals(IntStream.range(0, labels.length).toArray(), all, "disjoint and covering");
        for (int[] part : new int[][] {s.train(), s.validation(), s.test()}) {
            int[] sorted = part.clone();
            Arrays.sort(sorted);
            assertArrayEquals(sorted, part);
        }
    }

    @Test
    void roundingPerClassWithSmallClasses() {
        // 3 samples of class 0, 1 of class 1: round(3 * 0.5) = 2 and round(1 * 0.5) = 1 go to test.
        Splits.Split s = Splits.seeded(new int[] {0, 0, 0, 1}, 0.0, 0.5, 1);
        assertEquals(3, s.test().length);
        assertEquals(0, s.validation().length);
        assertEquals(1, s.train().length);
    }

    @Test
    void zeroFractionsPutEverythingInTrain() {
        Splits.Split s = Splits.seeded(labels(), 0, 0, 3);
        assertEquals(1000, s.train().length);
    }

    @Test
    void fractionsAreValidated() {
        int[] labels = labels();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Splits.seeded(labels, 0.5, 0.5, 1));
        assertTrue(e.getMessage().contains("0.5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Splits.seeded(labels, -0.1, 0.2, 1));
        assertThrows(IllegalArgumentException.class, () -> Splits.seeded(labels, 0.1, 1.0, 1));
        assertThrows(IllegalArgumentException.class, () -> Splits.seeded(labels, Double.NaN, 0.2, 1));
    }

    @Test
    void splitHandsOutCopies() {
        Splits.Split s = Splits.seeded(labels(), 0.1, 0.1, 1);
        int first = s.train()[0];
        s.train()[0] = -5;
        assertEquals(first, s.train()[0]);
    }
}
