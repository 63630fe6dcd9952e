package org.relprune.train;

import org.relprune.model.Predictions;

/** Top-1 and top-5 accuracy as fractions in [0, 1] over {@code samples} samples. */
public record Accuracy(double top1, double top5, int samples) {
    /**
     * Counts, from logits [n, classes] row-major, how many labels are the top-1 and among the
     * top-5 ({@link Predictions}: a row with a non-finite logit hits neither).
     */
    static int[] hits(float[] logits, int classes, int[] labels) {
        int top1 = 0;
        int top5 = 0;
        int k = Math.min(5, classes);
        for (int i = 0; i < labels.length; i++) {
            int before = Predictions.classesBefore(logits, i * classes, classes, labels[i]);
            top1 += before == 0 ? 1 : 0;
            top5 += before < k ? 1 : 0;
        }
        return new int[] {top1, top5};
    }
}
