package org.relprune.prune;

/**
 * One layer's prunable components: {@code count} components of node {@code layer}, masked at
 * the output of node {@code maskNode} (the layer itself, or the BatchNorm right after it), each
 * component {@code span} consecutive features of that output's feature axis (axis 1 for
 * convolutions, the last axis for tokens and dense layers; span > 1 for attention heads).
 * {@code weight} is the parameter whose rows belong to the components (filters, neuron rows;
 * for heads the packed in-projection, whose q, k and v blocks each hold a head's rows).
 */
public record PrunableLayer(String layer, String maskNode, String weight, int count, int featureAxis, int span, ComponentKind kind) {
    /** A conv channel or dense neuron: one feature each. */
    public PrunableLayer(String layer, String maskNode, String weight, int count) {
        this(layer, maskNode, weight, count, 1, 1, ComponentKind.CHANNELS);
    }

    /** Features of the masked output (count x span). */
    public int features() {
        return count * span;
    }

    /** The rows of {@code weight} (of {@code rows} in all) that belong to component {@code c}. */
    public int[] weightRows(int c, int rows) {
        if (kind == ComponentKind.HEADS) {
            int d = rows / 3;
            int[] r = new int[3 * span];
            for (int part = 0; part < 3; part++) {
                for (int i = 0; i < span; i++) {
                    r[part * span + i] = part * d + c * span + i;
                }
            }
            return r;
        }
        int per = rows / count;
        int[] r = new int[per];
        for (int i = 0; i < per; i++) {
            r[i] = c * per + i;
        }
        return r;
    }
}
