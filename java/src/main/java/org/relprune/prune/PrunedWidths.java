package org.relprune.prune;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.relprune.model.Graph;
import org.relprune.model.Node;
import org.relprune.model.layers.AdaptiveAvgPool2d;
import org.relprune.model.layers.Add;
import org.relprune.model.layers.AttentionCore;
import org.relprune.model.layers.AvgPool2d;
import org.relprune.model.layers.BatchNorm2d;
import org.relprune.model.layers.Conv2d;
import org.relprune.model.layers.Flatten;
import org.relprune.model.layers.GELU;
import org.relprune.model.layers.Linear;
import org.relprune.model.layers.MaxPool2d;
import org.relprune.model.layers.ReLU;
import org.relprune.model.layers.SelectToken;

/**
 * What the pruned network of every rate of a plan computes, node by node, before any tensor is
 * touched. A pruned component contributes nothing, so each masked layer is either
 * <ul>
 *   <li>{@link Treatment#SLICE sliced}: its producer (the convolution or linear layer that owns the
 *       component's weight rows) computes only the kept rows, and every node after it holds only
 *       the features that can be non-zero: per-channel steps (ReLU, pooling, a folded BatchNorm)
 *       keep the set, a residual add holds the union of its inputs' sets, a flatten expands
 *       channels into their positions, attention runs with the kept heads; the next layer then
 *       reads only those input columns. Layers that mix features otherwise (LayerNorm, an
 *       unfolded BatchNorm) get their input back at full width, zeros in the gaps; or</li>
 *   <li>{@link Treatment#MASK masked}: computed at full width with the pruned rows' weights and
 *       bias zero (the same values as the structured mask after the layer, without a pass over
 *       the output), where that is cheaper: when nearly everything is kept, the FLOPs saved are
 *       fewer than the copies slicing costs at the next residual add.</li>
 * </ul>
 * Nodes whose full output is the same at every rate (nothing before them is pruned) are marked,
 * so that a curve computes them once per batch.
 */
final class PrunedWidths {
    /** How the masked layers are evaluated. */
    enum Policy {
        /** Per layer and rate, by the cost model ({@link #sliceWorthIt}). */
        CHEAPEST,
        /** Every masked layer sliced. */
        SLICE,
        /** Every masked layer masked at full width: the batched structured-mask evaluation's arithmetic. */
        MASK
    }

    enum Treatment { SLICE, MASK }

    /**
     * Multiply-accumulates per output element that one extra pass over the element costs (a
     * gather to the full width at a residual add, or a mask multiply): slicing a layer whose
     * pruned fraction saves fewer MACs per element than this is not worth it.
     */
    static final double PASS_COST_MACS = 16;

    private final Graph graph;
    private final int rates;
    /** [rate][node]: the kept output rows of a sliced producer, null = all. */
    private final int[][][] rows;
    /**
     * [rate][node]: every component of a sliced producer is pruned. Its rows then hold the first
     * component's rows with weights and bias zero: one all-zero feature goes on instead of none,
     * which no step after it has to treat specially.
     */
    private final boolean[][] zeroRows;
    /** [rate][node]: the output rows of a layer kept at full width whose components are pruned (computed as zero), null = none. */
    private final int[][][] zeroed;
    /** [rate][node]: the features of the node's output that are held (the rest are 0), null = all. */
    private final int[][][] features;
    /** [rate][prunable layer]: the treatment (null when nothing of the layer is pruned at that rate). */
    private final Treatment[][] treatments;
    /** [node]: the full output is the same at every rate (no input depends on the rate). */
    private final boolean[] fullInvariant;
    /** [node]: the output held differs between rates. */
    private final boolean[] varies;

    private PrunedWidths(Graph graph, int rates) {
        this.graph = graph;
        this.rates = rates;
        int n = graph.nodes().size();
        rows = new int[rates][n][];
        zeroRows = new boolean[rates][n];
        zeroed = new int[rates][n][];
        features = new int[rates][n][];
        treatments = new Treatment[rates][];
        fullInvariant = new boolean[n];
        varies = new boolean[n];
    }

    /**
     * @param foldedBatchNorm whether a BatchNorm node is folded into the layer before it (then it
     *                        passes that layer's output through)
     */
    static PrunedWidths of(Graph graph, PruningPlan plan, Policy policy, Predicate<String> foldedBatchNorm) {
        PrunedWidths w = new PrunedWidths(graph, plan.rates().size());
        List<PrunableLayer> layers = plan.layers();
        int[] producers = new int[layers.size()];
        for (int l = 0; l < layers.size(); l++) {
            producers[l] = producerOf(graph, layers.get(l));
        }
        for (int k = 0; k < w.rates; k++) {
            w.treatments[k] = new Treatment[layers.size()];
            for (int l = 0; l < layers.size(); l++) {
                PrunableLayer layer = layers.get(l);
                float[] keep = plan.mask(k, l);
                int kept = 0;
                for (float m : keep) {
                    kept += m != 0 ? 1 : 0;
                }
                if (kept == layer.count()) {
                    continue;
                }
                Node producer = graph.nodes().get(producers[l]);
                Treatment t = switch (policy) {
                    case SLICE -> Treatment.SLICE;
                    case MASK -> Treatment.MASK;
                    case CHEAPEST -> sliceWorthIt(graph, producer, kept, layer.count()) ? Treatment.SLICE : Treatment.MASK;
                };
                w.treatments[k][l] = t;
                if (t == Treatment.SLICE) {
                    long outRows = featureCount(producer);
                    TreeSet<Integer> r = new TreeSet<>();
                    for (int c = 0; c < keep.length; c++) {
                        if (keep[c] != 0 || (kept == 0 && c == 0)) {
                            for (int row : layer.weightRows(c, (int) outRows)) {
                                r.add(row);
                            }
                        }
                    }
                    w.rows[k][producers[l]] = r.stream().mapToInt(Integer::intValue).toArray();
                    w.zeroRows[k][producers[l]] = kept == 0;
                } else {
                    long outRows = featureCount(producer);
                    TreeSet<Integer> r = new TreeSet<>();
                    for (int c = 0; c < keep.length; c++) {
                        if (keep[c] == 0) {
                            for (int row : layer.weightRows(c, (int) outRows)) {
                                r.add(row);
                            }
                        }
                    }
                    w.zeroed[k][producers[l]] = r.stream().mapToInt(Integer::intValue).toArray();
                }
            }
            w.propagate(k, foldedBatchNorm);
        }
        for (Node node : graph.nodes()) {
            int i = node.index();
            boolean inputsVary = false;
            for (int in : node.inputs()) {
                inputsVary |= w.varies[in];
            }
            boolean own = false;
            for (int k = 0; k < w.rates; k++) {
                own |= w.rows[k][i] != null || w.zeroed[k][i] != null;
            }
            w.fullInvariant[i] = !inputsVary;
            w.varies[i] = inputsVary || own;
        }
        return w;
    }

    /**
     * Slicing pays when the MACs saved per output element of the producer, (pruned fraction) x
     * (MACs per element), exceed one extra pass over the element.
     */
    static boolean sliceWorthIt(Graph graph, Node producer, int kept, int count) {
        double macsPerElement = (double) producer.layer().macs(graph.inputShapes(producer)) / producer.shape().numel();
        return (1.0 - (double) kept / count) * macsPerElement > PASS_COST_MACS;
    }

    /** The convolution or linear node whose weight rows belong to the layer's components. */
    static int producerOf(Graph graph, PrunableLayer layer) {
        for (Node n : graph.nodes()) {
            String weight = n.layer() instanceof Conv2d c ? c.weight() : n.layer() instanceof Linear li ? li.weight() : null;
            if (layer.weight().equals(weight)) {
                return n.index();
            }
        }
        throw new IllegalArgumentException(layer.layer() + ": no convolution or linear layer owns weight " + layer.weight());
    }

    /** Axis of a node's features in the batched tensor: channels of images, the last axis otherwise. */
    static int featureAxis(Node n) {
        return n.shape().rank() == 3 ? 1 : -1;
    }

    static long featureCount(Node n) {
        return n.shape().rank() == 3 ? n.shape().dim(0) : n.shape().dim(-1);
    }

    private void propagate(int k, Predicate<String> foldedBatchNorm) {
        for (Node n : graph.nodes()) {
            int i = n.index();
            int[] in = n.inputs().isEmpty() ? null : features[k][n.inputs().get(0)];
            int[] f;
            if (n.index() == 0) {
                f = null;
            } else if (n.layer() instanceof Conv2d || n.layer() instanceof Linear) {
                f = rows[k][i];
            } else if (n.layer() instanceof BatchNorm2d) {
                f = foldedBatchNorm.test(n.name()) ? in : null;
            } else if (n.layer() instanceof ReLU || n.layer() instanceof GELU || n.layer() instanceof MaxPool2d || n.layer() instanceof AvgPool2d
                    || n.layer() instanceof AdaptiveAvgPool2d || n.layer() instanceof SelectToken) {
                f = in; // per feature, and 0 stays 0
            } else if (n.layer() instanceof Flatten) {
                Node src = graph.nodes().get(n.inputs().get(0));
                f = in == null ? null : expand(in, src.shape().numel() / featureCount(src));
            } else if (n.layer() instanceof Add) {
                f = union(in, features[k][n.inputs().get(1)], featureCount(n));
            } else if (n.layer() instanceof AttentionCore a) {
                f = in == null ? null : headFeatures(a, keptHeads(a, in));
            } else {
                f = null; // mixes features: computed at full width
            }
            features[k][i] = f;
        }
    }

    /** Channel c of a flatten input becomes positions c*per .. c*per + per - 1. */
    private static int[] expand(int[] channels, long per) {
        int[] out = new int[Math.toIntExact(channels.length * per)];
        for (int j = 0; j < channels.length; j++) {
            for (int p = 0; p < per; p++) {
                out[(int) (j * per + p)] = (int) (channels[j] * per + p);
            }
        }
        return out;
    }

    private static int[] union(int[] a, int[] b, long width) {
        if (a == null || b == null) {
            return null;
        }
        TreeSet<Integer> u = new TreeSet<>();
        for (int v : a) {
            u.add(v);
        }
        for (int v : b) {
            u.add(v);
        }
        return u.size() == width ? null : u.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The heads whose q, k and v rows of the packed in-projection output are all held, in order;
     * the held rows must be exactly those (a sliced in-projection keeps whole heads).
     */
    static int[] keptHeads(AttentionCore a, int[] qkvRows) {
        int dh = a.dim() / a.heads();
        List<Integer> heads = new ArrayList<>();
        for (int j = 0; j < qkvRows.length; j++) {
            int row = qkvRows[j];
            if (row < a.dim() && row % dh == 0) {
                heads.add(row / dh);
            }
        }
        int[] h = heads.stream().mapToInt(Integer::intValue).toArray();
        int[] expected = new int[3 * h.length * dh];
        int at = 0;
        for (int part = 0; part < 3; part++) {
            for (int head : h) {
                for (int e = 0; e < dh; e++) {
                    expected[at++] = part * a.dim() + head * dh + e;
                }
            }
        }
        if (!Arrays.equals(expected, qkvRows)) {
            throw new IllegalStateException("attention input rows are not whole heads: " + Arrays.toString(qkvRows));
        }
        return h;
    }

    private static int[] headFeatures(AttentionCore a, int[] heads) {
        int dh = a.dim() / a.heads();
        int[] f = new int[heads.length * dh];
        for (int j = 0; j < heads.length; j++) {
            for (int e = 0; e < dh; e++) {
                f[j * dh + e] = heads[j] * dh + e;
            }
        }
        return f;
    }

    int rates() {
        return rates;
    }

    int[] rows(int rate, int node) {
        return rows[rate][node];
    }

    /** Whether the producer's rows are all pruned: its one held component is computed as zero. */
    boolean zeroRows(int rate, int node) {
        return zeroRows[rate][node];
    }

    /** The rows of a full-width layer whose components are pruned at this rate (to compute as zero), or null. */
    int[] zeroed(int rate, int node) {
        return zeroed[rate][node];
    }

    int[] features(int rate, int node) {
        return features[rate][node];
    }

    Treatment treatment(int rate, int layer) {
        return treatments[rate][layer];
    }

    boolean fullInvariant(int node) {
        return fullInvariant[node];
    }

    boolean varies(int node) {
        return varies[node];
    }
}
