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

    private PruningPlan(List<PrunableLayer> layers, Rates rates, float[][][] masks, int[] pruned) {
        this.layers = List.copyOf(layers);
        this.rates = rates;
        this.masks = masks;
        this.pruned = pruned;
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
        return new PruningPlan(layers, rates, masks, pruned);
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

    /** Components pruned at rate k. */
    public int pruned(int k) {
        return pruned[k];
    }
}
