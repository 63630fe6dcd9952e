package org.relprune.io.data;

import java.util.Arrays;
import java.util.Objects;

/** Seeded, stratified train/validation/test splits. */
public final class Splits {
    private Splits() {
    }

    /**
     * Disjoint sample indices for training, validation and test, each sorted ascending. The arrays
     * are copied in and out, so a split cannot be changed after it is made.
     */
    public record Split(int[] train, int[] validation, int[] test) {
        public Split {
            train = Objects.requireNonNull(train, "train").clone();
            validation = Objects.requireNonNull(validation, "validation").clone();
            test = Objects.requireNonNull(test, "test").clone();
        }

        @Override
        public int[] train() {
            return train.clone();
        }

        @Override
        public int[] validation() {
            return validation.clone();
        }

        @Override
        public int[] test() {
            return test.clone();
        }

        /** Equal when the index arrays are (records compare arrays by identity otherwise). */
        @Override
        public boolean equals(Object o) {
            return o instanceof Split s && Arrays.equals(train, s.train) && Arrays.equals(validation, s.validation)
                    && Arrays.equals(test, s.test);
        }

        @Override
        public int hashCode() {
            return Objects.hash(Arrays.hashCode(train), Arrays.hashCode(validation), Arrays.hashCode(test));
        }

        @Override
        public String toString() {
            return "Split[train=" + train.length + ", validation=" + validation.length + ", test=" + test.length + "]";
        }
    }

    /**
     * Splits every sample, class by class: each class's indices are shuffled with a generator
     * seeded from {@code seed} and the class, then {@code round(n_c * test)} go to test,
     * {@code round(n_c * validation)} to validation and the rest to train. Rounding each class
     * keeps the class proportions in every part; since the fractions sum below 1, the two rounded
     * counts never exceed {@code n_c}. The same labels and seed always give the same split.
     *
     * @param labels the label of each sample (non-negative)
     * @throws IllegalArgumentException when a fraction is outside [0, 1) or they sum to 1 or more
     */
    public static Split seeded(int[] labels, double validation, double test, long seed) {
        if (!(validation >= 0 && validation < 1 && test >= 0 && test < 1 && validation + test < 1)) {
            throw new IllegalArgumentException("split fractions validation " + validation + " and test " + test
                    + " must each be in [0, 1) with a sum below 1");
        }
        int[][] groups = ClassShuffle.byClass(labels, ClassShuffle.all(labels.length));
        int[] trainOut = new int[labels.length];
        int[] valOut = new int[labels.length];
        int[] testOut = new int[labels.length];
        int nTrain = 0;
        int nVal = 0;
        int nTest = 0;
        for (int c = 0; c < groups.length; c++) {
            int[] g = groups[c];
            ClassShuffle.shuffle(g, seed, c);
            int t = (int) Math.round(g.length * test);
            // min: guards the proof above against a sum below 1 by only an ulp.
            int v = Math.min((int) Math.round(g.length * validation), g.length - t);
            System.arraycopy(g, 0, testOut, nTest, t);
            System.arraycopy(g, t, valOut, nVal, v);
            System.arraycopy(g, t + v, trainOut, nTrain, g.length - t - v);
            nTest += t;
            nVal += v;
            nTrain += g.length - t - v;
        }
        return new Split(sorted(trainOut, nTrain), sorted(valOut, nVal), sorted(testOut, nTest));
    }

    private static int[] sorted(int[] a, int n) {
        int[] out = Arrays.copyOf(a, n);
        Arrays.sort(out);
        return out;
    }
}
