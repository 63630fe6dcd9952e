package org.relprune.io.data;

import java.util.Arrays;

/**
 * Seeded subsets of a pool of sample indices: a fixed number per class (for example the reference
 * images that relevance is computed on) and the samples of chosen classes (class-subset pruning).
 * Results are sorted ascending and depend only on the pool as a set, not its order.
 */
public final class Sampling {
    private Sampling() {
    }

    /** 0..n-1: every sample of a dataset of n, the pool for {@link #perClass} and {@link #classSubset}. */
    public static int[] all(int n) {
        return ClassShuffle.all(n);
    }

    /**
     * {@code n} indices of each class present in {@code from}, drawn with a generator seeded from
     * {@code seed} and the class.
     *
     * @throws IllegalArgumentException when {@code n < 1}, the pool is empty or has repeated or
     *     out-of-range indices, or a present class has fewer than {@code n} samples
     */
    public static int[] perClass(int[] labels, int[] from, int n, long seed) {
        if (n < 1) {
            throw new IllegalArgumentException("samples per class must be at least 1, got " + n);
        }
        int[][] groups = ClassShuffle.byClass(labels, from);
        int present = 0;
        for (int c = 0; c < groups.length; c++) {
            if (groups[c].length == 0) {
                continue;
            }
            if (groups[c].length < n) {
                throw new IllegalArgumentException("class " + c + " has " + groups[c].length
                        + " samples in the pool, fewer than the " + n + " requested per class");
            }
            present++;
        }
        if (present == 0) {
            throw new IllegalArgumentException("the sample pool is empty");
        }
        int[] out = new int[present * n];
        int k = 0;
        for (int c = 0; c < groups.length; c++) {
            if (groups[c].length > 0) {
                ClassShuffle.shuffle(groups[c], seed, c);
                System.arraycopy(groups[c], 0, out, k, n);
                k += n;
            }
        }
        Arrays.sort(out);
        return out;
    }

    /**
     * At most {@code limit} indices of a dataset with these labels, stratified: every index when
     * the dataset is no larger, else {@code limit / classes present} (at least one) of each class drawn
     * as {@link #perClass} draws them. Evaluation subsets (a search's validation curve, a test
     * curve on fewer images) use it so that the same limit and seed give the same images.
     */
    public static int[] stratified(int[] labels, int limit, long seed) {
        if (limit < 1) {
            throw new IllegalArgumentException("an image limit must be at least 1, got " + limit);
        }
        if (labels.length <= limit) {
            return all(labels.length);
        }
        long present = java.util.Arrays.stream(labels).distinct().count();
        return perClass(labels, all(labels.length), (int) Math.max(1, limit / present), seed);
    }

    /**
     * The indices of {@code from} whose label is one of {@code classes}, ascending.
     *
     * @throws IllegalArgumentException when a class is negative or above the largest label, or
     *     no sample of the pool is in the classes ("empty class subset")
     */
    public static int[] classSubset(int[] labels, int[] from, int[] classes) {
        int maxLabel = -1;
        for (int l : labels) {
            maxLabel = Math.max(maxLabel, l);
        }
        boolean[] wanted = new boolean[maxLabel + 1];
        for (int c : classes) {
            if (c < 0 || c > maxLabel) {
                throw new IllegalArgumentException("class " + c + " is outside the labels' range 0.." + maxLabel);
            }
            wanted[c] = true;
        }
        ClassShuffle.byClass(labels, from); // validates the pool: range, repeats, negative labels
        int[] out = Arrays.stream(from).filter(i -> labels[i] < wanted.length && wanted[labels[i]]).sorted().toArray();
        if (out.length == 0) {
            throw new IllegalArgumentException("empty class subset: no sample of the " + from.length
                    + "-sample pool has a class in " + Arrays.toString(classes));
        }
        return out;
    }

    /**
     * The classes {@code 0 .. k-1}.
     *
     * @throws IllegalArgumentException when {@code k} is outside {@code [1, numClasses]}
     */
    public static int[] firstClasses(int k, int numClasses) {
        if (k < 1 || k > numClasses) {
            throw new IllegalArgumentException("class count " + k + " must be in [1, " + numClasses + "]");
        }
        return ClassShuffle.all(k);
    }
}
