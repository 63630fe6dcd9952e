package org.relprune.lrp.composite;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Assigns the PXP layer groups by depth. Of the n conv/linear layers before the classifier (in
 * model order):
 * <ul>
 *   <li>LOW: the first ceil(n/4) layers (at least one when n >= 1);</li>
 *   <li>HIGH: the last ceil(n/4) layers, but only among those not already LOW, so the groups
 *       never overlap (n = 1: the single layer is LOW, there is no HIGH);</li>
 *   <li>MID: the rest;</li>
 *   <li>FC: the classifier.</li>
 * </ul>
 * Low and high use the same rounding so the split is symmetric. Counts (low/mid/high): n=1 1/0/0,
 * n=2 1/0/1, n=3 1/1/1, n=4 1/2/1, n=5 2/1/2, n=8 2/4/2, n=9 3/3/3, n=20 (ResNet-18) 5/10/5.
 *
 * <p>Transformers are grouped by blocks instead ({@link #assignByBlocks}): the same split over
 * the encoder blocks, every layer of a block in its block's group, so a block's attention and
 * MLP never fall in different groups.
 */
public final class LayerGroups {
    private LayerGroups() {}

    /**
     * @param linearLayersInModelOrder the conv/linear layer names in model order; the classifier
     *     may be included (then it must be the last one) or omitted
     * @param classifier the classifier layer's name (group FC)
     * @return every layer with its group, in model order, the classifier last
     */
    public static Map<String, LayerGroup> assign(List<String> linearLayersInModelOrder, String classifier) {
        Objects.requireNonNull(linearLayersInModelOrder, "linearLayersInModelOrder");
        if (classifier == null || classifier.isBlank()) {
            throw new IllegalArgumentException("the classifier layer name is required");
        }
        List<String> body = bodyLayers(linearLayersInModelOrder, classifier);
        int n = body.size();
        int low = lowCount(n);
        int high = highCount(n);
        Map<String, LayerGroup> groups = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            LayerGroup g = i < low ? LayerGroup.LOW : i >= n - high ? LayerGroup.HIGH : LayerGroup.MID;
            groups.put(body.get(i), g);
        }
        groups.put(classifier, LayerGroup.FC);
        return Collections.unmodifiableMap(groups);
    }

    /**
     * The depth groups by blocks: of L blocks the first ceil(L/4) are LOW, the last ceil(L/4)
     * (not already LOW) HIGH, the rest MID; a layer takes its block's group; layers before the
     * first block (a patch embedding) are LOW, layers after the last one HIGH; the classifier FC.
     *
     * @param blockOf a layer's block index (0-based, non-decreasing in model order), or -1 for a
     *     layer outside every block
     */
    public static Map<String, LayerGroup> assignByBlocks(List<String> linearLayersInModelOrder, String classifier,
                                                         java.util.function.ToIntFunction<String> blockOf) {
        Objects.requireNonNull(linearLayersInModelOrder, "linearLayersInModelOrder");
        if (classifier == null || classifier.isBlank()) {
            throw new IllegalArgumentException("the classifier layer name is required");
        }
        List<String> body = bodyLayers(linearLayersInModelOrder, classifier);
        int blocks = 0;
        int last = -1;
        for (String name : body) {
            int b = blockOf.applyAsInt(name);
            if (b >= 0 && b < last) {
                throw new IllegalArgumentException("layer '" + name + "' of block " + b + " follows a layer of block " + last);
            }
            last = Math.max(last, b);
            blocks = Math.max(blocks, b + 1);
        }
        if (blocks == 0) {
            return assign(linearLayersInModelOrder, classifier);
        }
        int low = lowCount(blocks);
        int high = highCount(blocks);
        Map<String, LayerGroup> groups = new LinkedHashMap<>();
        boolean seenBlock = false;
        for (String name : body) {
            int b = blockOf.applyAsInt(name);
            seenBlock |= b >= 0;
            LayerGroup g = b < 0 ? (seenBlock ? LayerGroup.HIGH : LayerGroup.LOW)
                    : b < low ? LayerGroup.LOW : b >= blocks - high ? LayerGroup.HIGH : LayerGroup.MID;
            groups.put(name, g);
        }
        groups.put(classifier, LayerGroup.FC);
        return Collections.unmodifiableMap(groups);
    }

    /** ceil(n/4), at least one layer when there is any. */
    static int lowCount(int n) {
        return (n + 3) / 4;
    }

    /** ceil(n/4) too, limited to the layers left after LOW so the groups never overlap. */
    static int highCount(int n) {
        return Math.min((n + 3) / 4, n - lowCount(n));
    }

    /** The layers before the classifier, checked: no blanks, no duplicates, classifier only last. */
    private static List<String> bodyLayers(List<String> layers, String classifier) {
        List<String> body = new ArrayList<>(layers);
        int at = body.indexOf(classifier);
        if (at >= 0) {
            if (at != body.size() - 1) {
                throw new IllegalArgumentException("classifier '" + classifier + "' must be the last conv/linear layer, but "
                        + body.subList(at + 1, body.size()) + " follow it");
            }
            body.remove(at);
        }
        Set<String> seen = new HashSet<>();
        for (String name : body) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("blank layer name in " + layers);
            }
            if (!seen.add(name)) {
                throw new IllegalArgumentException("layer '" + name + "' listed twice in " + layers);
            }
        }
        return body;
    }
}
