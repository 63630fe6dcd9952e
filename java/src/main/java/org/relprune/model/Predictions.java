package org.relprune.model;

/**
 * What a classifier predicts from its logits: the one rule behind every accuracy the project
 * reports (evaluation, training, pruning curves). A row with a logit that is not finite (NaN or
 * infinite) among the competing classes predicts nothing and counts as wrong: a diverged model must
 * score 0, not whatever a comparison with NaN happens to give. Otherwise the largest logit wins,
 * the first on ties (as argmax and topk pick).
 */
public final class Predictions {
    /** The prediction of a row with a non-finite logit. */
    public static final int NONE = -1;

    private Predictions() {
    }

    /**
     * The predicted class of the row at {@code offset} of {@code classes} logits, among
     * {@code competing} classes only (all when null), or {@link #NONE}.
     */
    public static int top1(float[] logits, int offset, int classes, int[] competing) {
        int best = NONE;
        float bestValue = Float.NEGATIVE_INFINITY;
        int n = competing == null ? classes : competing.length;
        for (int i = 0; i < n; i++) {
            int c = competing == null ? i : competing[i];
            float v = logits[offset + c];
            if (!Float.isFinite(v)) {
                return NONE;
            }
            if (best == NONE || v > bestValue) {
                best = c;
                bestValue = v;
            }
        }
        return best;
    }

    /**
     * How many classes rank before {@code label} in the row (larger logits, or equal ones that come
     * earlier), or {@link Integer#MAX_VALUE} for a row with a non-finite logit: the label is among
     * the top k when the result is below k.
     */
    public static int classesBefore(float[] logits, int offset, int classes, int label) {
        float target = logits[offset + label];
        int before = 0;
        for (int c = 0; c < classes; c++) {
            float v = logits[offset + c];
            if (!Float.isFinite(v)) {
                return Integer.MAX_VALUE;
            }
            if (v > target || (v == target && c < label)) {
                before++;
            }
        }
        return before;
    }

    /** Rows of a logits array [n, classes] that hold a non-finite value. */
    public static int nonFiniteRows(float[] logits, int classes) {
        int rows = 0;
        for (int base = 0; base + classes <= logits.length; base += classes) {
            for (int c = 0; c < classes; c++) {
                if (!Float.isFinite(logits[base + c])) {
                    rows++;
                    break;
                }
            }
        }
        return rows;
    }
}
