package org.relprune.prune;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Which components each rate removes: the lowest-scored first, ties broken stably in model order
 * then component index; globally across layers (default) or within each layer. Masks are nested:
 * a component pruned at one rate stays pruned at every higher rate.
 */
public final class PruningPlan {
    private final List<PrunableLayer> layers;
    private final Rates rates;
    /** masks[rate][layer][component]: 1 kept, 0 pruned. */
    private final float[][][] masks;
    private final int[] pruned;
    private final int total;

    private PruningPlan(List<PrunableLayer> layers, Rates rates, float[][][] masks, int[] pruned, int total) {
        this.layers = List.copyOf(layers);
        this.rates = rates;
        this.masks = masks;
        this.pruned = pruned;
        this.total = total;
    }

    private record Entry(int layer, int index, double score) {
    }

    public static PruningPlan build(List<PrunableLayer> layers, List<double[]> scores, Rates rates, boolean global, boolean normalizePerLayer) {
        if (scores.size() != layers.size()) {
            throw new IllegalArgumentException(scores.size() + " score vectors for " + layers.size() + " layers");
        }
        List<double[]> s = new ArrayList<>();
        for (int l = 0; l < layers.size(); l++) {
            double[] v = scores.get(l);
            if (v.length != layers.get(l).count()) {
                throw new IllegalArgumentException(layers.get(l).layer() + ": " + v.length + " scores for " + layers.get(l).count() + " components");
            }
            for (double x : v) {
                if (Double.isNaN(x)) {
                    throw new IllegalArgumentException(layers.get(l).layer() + ": a criterion score is NaN");
                }
            }
            if (normalizePerLayer) {
                // Yeom et al.: each layer's scores divided by their L1 norm
                double norm = Arrays.stream(v).map(Math::abs).sum();
                v = norm == 0 ? v.clone() : Arrays.stream(v).map(x -> x / norm).toArray();
            }
            s.add(v);
        }
        Comparator<Entry> order = Comparator.comparingDouble(Entry::score).thenComparingInt(Entry::layer).thenComparingInt(Entry::index);
        float[][][] masks = new float[rates.size()][layers.size()][];
        int[] pruned = new int[rates.size()];
        for (int k = 0; k < rates.size(); k++) {
            for (int l = 0; l < layers.size(); l++) {
                masks[k][l] = new float[layers.get(l).count()];
                Arrays.fill(masks[k][l], 1f);
            }
        }
        if (global) {
            List<Entry> all = new ArrayList<>();
            for (int l = 0; l < layers.size(); l++) {
                for (int i = 0; i < layers.get(l).count(); i++) {
                    all.add(new Entry(l, i, s.get(l)[i]));
                }
            }
            all.sort(order);
            for (int k = 0; k < rates.size(); k++) {
                int n = rates.count(k, all.size());
                for (int j = 0; j < n; j++) {
                    masks[k][all.get(j).layer()][all.get(j).index()] = 0f;
                }
                pruned[k] = n;
            }
        } else {
            for (int l = 0; l < layers.size(); l++) {
                List<Entry> own = new ArrayList<>();
                for (int i = 0; i < layers.get(l).count(); i++) {
                    own.add(new Entry(l, i, s.get(l)[i]));
                }
                own.sort(order);
                for (int k = 0; k < rates.size(); k++) {
                    int n = rates.count(k, own.size());
                    for (int j = 0; j < n; j++) {
                        masks[k][l][own.get(j).index()] = 0f;
                    }
                    pruned[k] += n;
                }
            }
        }
        return new PruningPlan(layers, rates, masks, pruned, Components.total(layers));
    }

    /** How the scores of coupled channels combine into the group's score. */
    public enum Reduction { SUM, MEAN, MAX }

    /**
     * Coupled grouping: the channels of a group (layers whose outputs are tied, e.g. by residual
     * adds; {@link ChannelSpaces#groups}) are scored together (the members' scores of a channel
     * reduced) and kept or removed together. Rates count group channels; layers in no group are
     * never pruned.
     */
    public static PruningPlan coupled(List<PrunableLayer> layers, List<double[]> scores, List<int[]> groups, Reduction reduction, Rates rates,
                                      boolean global, boolean normalizePerLayer) {
        List<PrunableLayer> groupLayers = new ArrayList<>();
        List<double[]> groupScores = new ArrayList<>();
        for (int[] members : groups) {
            int count = layers.get(members[0]).count();
            double[] g = new double[count];
            if (reduction == Reduction.MAX) {
                Arrays.fill(g, Double.NEGATIVE_INFINITY);
            }
            for (int l : members) {
                if (layers.get(l).count() != count) {
                    throw new IllegalArgumentException("coupled layers " + layers.get(members[0]).layer() + " and " + layers.get(l).layer()
                            + " have " + count + " and " + layers.get(l).count() + " channels");
                }
                double[] v = scores.get(l);
                double norm = normalizePerLayer ? Arrays.stream(v).map(Math::abs).sum() : 1;
                for (int c = 0; c < count; c++) {
                    double x = norm == 0 ? v[c] : v[c] / norm;
                    g[c] = reduction == Reduction.MAX ? Math.max(g[c], x) : g[c] + x;
                }
            }
            if (reduction == Reduction.MEAN) {
                for (int c = 0; c < count; c++) {
                    g[c] /= members.length;
                }
            }
            PrunableLayer first = layers.get(members[0]);
            groupLayers.add(new PrunableLayer(first.layer(), first.maskNode(), first.weight(), count));
            groupScores.add(g);
        }
        PruningPlan byGroup = build(groupLayers, groupScores, rates, global, false);
        float[][][] masks = new float[rates.size()][layers.size()][];
        for (int k = 0; k < rates.size(); k++) {
            for (int l = 0; l < layers.size(); l++) {
                masks[k][l] = new float[layers.get(l).count()];
                Arrays.fill(masks[k][l], 1f);
            }
            for (int gi = 0; gi < groups.size(); gi++) {
                for (int l : groups.get(gi)) {
                    masks[k][l] = byGroup.mask(k, gi);
                }
            }
        }
        int[] pruned = new int[rates.size()];
        for (int k = 0; k < rates.size(); k++) {
            pruned[k] = byGroup.pruned(k);
        }
        return new PruningPlan(layers, rates, masks, pruned, byGroup.total());
    }

    public List<PrunableLayer> layers() {
        return layers;
    }

    public Rates rates() {
        return rates;
    }

    /** 1 kept, 0 pruned, for layer {@code l} at rate {@code k} (a copy). */
    public float[] mask(int k, int l) {
        return masks[k][l].clone();
    }

    /** Components (group channels when coupled) that the rates count. */
    public int total() {
        return total;
    }

    /** Components pruned at rate k. */
    public int pruned(int k) {
        return pruned[k];
    }
}
