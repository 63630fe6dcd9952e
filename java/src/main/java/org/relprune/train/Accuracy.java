package org.relprune.train;

/** Top-1 and top-5 accuracy as fractions in [0, 1] over {@code samples} samples. */
public record Accuracy(double top1, double top5, int samples) {
    /** Counts, from logits [n, classes] row-major, how many labels are the top-1 and among the top-5. */
    static int[] hits(float[] logits, int classes, int[] labels) {
        int top1 = 0;
        int top5 = 0;
        int k = Math.min(5, classes);
        for (int i = 0; i < labels.length; i++) {
            int base = i * classes;
            float target = logits[base + labels[i]];
            int better = 0;
            for (int c = 0; c < classes; c++) {
                float v = logits[base + c];
                // ties count against the label only when they come earlier, as argmax/topk pick the first
                if (v > target || (v == target && c < labels[i])) {
                    better++;
                }
            }
            top1 += better == 0 ? 1 : 0;
            top5 += better < k ? 1 : 0;
        }
        return new int[] {top1, top5};
    }
}
