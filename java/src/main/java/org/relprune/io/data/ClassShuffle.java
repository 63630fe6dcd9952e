package org.relprune.io.data;

import java.util.Arrays;
import java.util.SplittableRandom;

/** What {@link Splits} and {@link Sampling} share: grouping indices by class and a seeded shuffle. */
final class ClassShuffle {
    /** The 64-bit golden ratio: spreads consecutive class ids over the seed's bits. */
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private ClassShuffle() {
    }

    /**
     * {@code from}'s indices grouped by label, each group ascending: {@code result[c]} for
     * classes 0..max label (empty arrays for absent classes). Fails on an index out of range, a
     * repeated index or a negative label.
     */
    static int[][] byClass(int[] labels, int[] from) {
        int[] sorted = from.clone();
        Arrays.sort(sorted);
        int maxLabel = -1;
        for (int k = 0; k < sorted.length; k++) {
            int i = sorted[k];
            if (i < 0 || i >= labels.length) {
                throw new IllegalArgumentException("index " + i + " is outside the " + labels.length + " labels");
            }
            if (k > 0 && sorted[k - 1] == i) {
                throw new IllegalArgumentException("index " + i + " appears more than once");
            }
            if (labels[i] < 0) {
                throw new IllegalArgumentException("label " + labels[i] + " of sample " + i + " is negative");
            }
            maxLabel = Math.max(maxLabel, labels[i]);
        }
        int[] counts = new int[maxLabel + 1];
        for (int i : sorted) {
            counts[labels[i]]++;
        }
        int[][] groups = new int[maxLabel + 1][];
        for (int c = 0; c <= maxLabel; c++) {
            groups[c] = new int[counts[c]];
            counts[c] = 0;
        }
        for (int i : sorted) {
            groups[labels[i]][counts[labels[i]]++] = i;
        }
        return groups;
    }

    /** 0..n-1 for every sample, the pool of a whole dataset. */
    static int[] all(int n) {
        int[] out = new int[n];
        Arrays.setAll(out, i -> i);
        return out;
    }

    /**
     * Shuffles {@code a} in place (Fisher-Yates) with a generator seeded per class, so each class's
     * draw does not depend on which other classes are present.
     */
    static void shuffle(int[] a, long seed, int cls) {
        SplittableRandom random = new SplittableRandom(seed ^ ((cls + 1L) * GOLDEN));
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
