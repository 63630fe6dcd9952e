package org.relprune.prune;

import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ObjIntConsumer;
import org.relprune.backend.Backend;
import org.relprune.lrp.BatchNormFolding;
import org.relprune.model.Graph;
import org.relprune.model.Model;
import org.relprune.model.Node;
import org.relprune.model.layers.Add;
import org.relprune.model.layers.AdaptiveAvgPool2d;
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
import org.relprune.tensor.Tensor;
import org.relprune.tensor.TensorScope;

/**
 * Every rate of a pruning curve run at the pruned network's own width ({@link PrunedWidths}): a
 * sliced layer computes only its kept rows with weights gathered once per rate (the next layer's
 * input columns too), BatchNorm folded into the layer before it, so a curve costs about the sum
 * of the pruned networks' FLOPs instead of 20 dense passes. Per batch, the nodes whose output is
 * the same at every rate (the input, a stem that is not pruned) run once, and a sliced layer
 * right after them gathers its rows from that one full result instead of running again.
 */
final class SlicedCurve implements AutoCloseable {
    /** Gathered weights kept for later batches up to this many bytes; beyond it they are gathered again per batch. */
    static final long WEIGHT_CACHE_BYTES = 1L << 30;

    private final Model model;
    private final Graph graph;
    private final Backend backend;
    private final BatchNormFolding folding;
    private final PrunedWidths widths;
    private final int[] readers;
    /** [node] the one node reading its output, or null. */
    private final Node[] soleReaders;
    /** [rate][node] gathered {weight, bias} kept across batches. */
    private final Map<Long, Tensor[]> weights = new HashMap<>();
    private long weightBytes;
    /** [node] whose full output is needed by the per-rate passes (not just by other shared nodes). */
    private final boolean[] keepShared;

    SlicedCurve(Model model, PruningPlan plan, PrunedWidths.Policy policy) {
        this.model = model;
        this.graph = model.graph();
        this.backend = model.backend();
        this.folding = BatchNormFolding.of(model);
        this.widths = PrunedWidths.of(graph, plan, policy, folding::isFolded);
        this.readers = graph.consumerCounts();
        this.soleReaders = new Node[graph.nodes().size()];
        for (Node n : graph.nodes()) {
            soleReaders[n.index()] = n == graph.output() ? null : graph.soleReader(n);
        }
        this.keepShared = new boolean[graph.nodes().size()];
        for (Node n : graph.nodes()) {
            if (!widths.fullInvariant(n.index())) {
                continue;
            }
            boolean needed = widths.varies(n.index()) || n == graph.output();
            for (Node m : graph.nodes()) {
                needed |= m.inputs().contains(n.index()) && !widths.fullInvariant(m.index());
            }
            keepShared[n.index()] = needed;
        }
        // every rate's gathered weights now (outside any batch's native scope, which would free
        // them), as long as they fit the budget; the others are gathered per batch
        for (int k = 0; k < widths.rates(); k++) {
            for (Node n : graph.nodes()) {
                if ((n.layer() instanceof Conv2d || n.layer() instanceof Linear) && !widths.fullInvariant(n.index())) {
                    cache(k, n);
                }
            }
        }
    }

    private void cache(int k, Node n) {
        int[] inFeatures = widths.features(k, n.inputs().get(0));
        if (ownWeights(k, n, inFeatures)) {
            return;
        }
        try (TensorScope scope = TensorScope.open()) {
            Tensor[] base = base(n);
            Tensor[] wb = gathered(k, n, inFeatures);
            long bytes = (wb[0].numel() + (wb[1] != null && wb[1] != base[1] ? wb[1].numel() : 0)) * Float.BYTES;
            if (weightBytes + bytes <= WEIGHT_CACHE_BYTES) {
                TensorScope.detach(wb[0]);
                boolean gatheredBias = wb[1] != null && wb[1] != base[1];
                if (gatheredBias) {
                    TensorScope.detach(wb[1]);
                }
                weights.put(key(k, n), new Tensor[] {wb[0], wb[1], gatheredBias ? wb[1] : null});
                weightBytes += bytes;
            }
        }
    }

    private long key(int k, Node n) {
        return (long) k * graph.nodes().size() + n.index();
    }

    PrunedWidths widths() {
        return widths;
    }

    /**
     * Runs every rate on one batch of images [n, C, H, W] and hands each rate's logits [n, classes]
     * to {@code logits} (valid during the call), rates in order.
     */
    void run(Tensor images, ObjIntConsumer<Tensor> logits) {
        List<Node> nodes = graph.nodes();
        Tensor[] shared = new Tensor[nodes.size()];
        try (TensorScope batch = TensorScope.open()) {
            shared[0] = images;
            int[] sharedReaders = new int[nodes.size()];
            for (Node n : nodes) {
                for (int in : n.inputs()) {
                    if (widths.fullInvariant(n.index())) {
                        sharedReaders[in]++;
                    }
                }
            }
            for (int i = 1; i < nodes.size(); i++) {
                Node n = nodes.get(i);
                if (!widths.fullInvariant(i)) {
                    continue;
                }
                Tensor[] in = new Tensor[n.inputs().size()];
                for (int j = 0; j < in.length; j++) {
                    in[j] = shared[n.inputs().get(j)];
                }
                shared[i] = full(n, in);
                for (int j : n.inputs()) {
                    if (--sharedReaders[j] == 0 && !keepShared[j] && j != 0 && !aliased(shared, j)) {
                        shared[j].close();
                        shared[j] = null;
                    }
                }
            }
            // what the batch holds for every rate: never written over or closed by a rate's pass
            Set<Tensor> batchTensors = Collections.newSetFromMap(new IdentityHashMap<>());
            for (Tensor t : shared) {
                if (t != null) {
                    batchTensors.add(t);
                }
            }
            for (int k = 0; k < widths.rates(); k++) {
                try (TensorScope rate = TensorScope.open()) {
                    logits.accept(pass(k, shared, batchTensors), k);
                }
            }
        }
    }

    /** Whether shared[j] is also the value of another node (a folded BatchNorm passes its input on). */
    private static boolean aliased(Tensor[] values, int j) {
        for (int i = 0; i < values.length; i++) {
            if (i != j && values[i] == values[j]) {
                return true;
            }
        }
        return false;
    }

    /** One rate's forward pass; its intermediate results are freed as soon as their last reader ran. */
    private Tensor pass(int k, Tensor[] shared, Set<Tensor> batch) {
        List<Node> nodes = graph.nodes();
        Tensor[] values = new Tensor[nodes.size()];
        int[] remaining = readers.clone();
        Map<Tensor, Integer> uses = new IdentityHashMap<>(); // a tensor can be the value of several nodes
        boolean[] reluDone = new boolean[nodes.size()];
        for (Node n : nodes) {
            int i = n.index();
            Tensor v;
            if (widths.fullInvariant(i)) {
                if (!keepShared[i]) {
                    continue; // read only by other shared nodes
                }
                v = derived(k, n, shared[i]);
            } else if (reluDone[i]) {
                v = values[n.inputs().get(0)]; // applied in place to its input already
            } else {
                Tensor[] in = new Tensor[n.inputs().size()];
                for (int j = 0; j < in.length; j++) {
                    in[j] = values[n.inputs().get(j)];
                }
                v = n.layer() instanceof Add ? add(k, n, in, remaining, uses, batch) : node(k, n, in);
            }
            values[i] = v;
            uses.merge(v, 1, Integer::sum);
            for (int j : n.inputs()) {
                if (--remaining[j] == 0) {
                    release(values[j], uses, batch);
                    values[j] = null;
                }
            }
            // a ReLU that is the only reader of a tensor held by this node alone runs in place on
            // it: no pass over a new tensor, no new tensor
            Node reader = soleReaders[i];
            if (reader != null && reader.layer() instanceof ReLU && !widths.fullInvariant(reader.index()) && owned(v, uses, batch)) {
                backend.reluInPlace(v);
                reluDone[reader.index()] = true;
            }
        }
        Node out = graph.output();
        return materialize(values[out.index()], widths.features(k, out.index()), out);
    }

    /** Whether only one node of this rate holds t (and the batch does not). */
    private static boolean owned(Tensor t, Map<Tensor, Integer> uses, Set<Tensor> batch) {
        return uses.getOrDefault(t, 0) == 1 && !batch.contains(t);
    }

    /**
     * A residual add at rate k: both inputs brought to the features the sum holds, and the sum
     * written over one of them where this rate owns it and nothing reads it after the add (a copy
     * the regathering made, or an input whose last reader this is).
     */
    private Tensor add(int k, Node n, Tensor[] in, int[] remaining, Map<Tensor, Integer> uses, Set<Tensor> batch) {
        int[] f = widths.features(k, n.index());
        try (TensorScope scope = TensorScope.open()) {
            Tensor[] g = new Tensor[2];
            boolean[] free = new boolean[2];
            for (int j = 0; j < 2; j++) {
                int src = n.inputs().get(j);
                g[j] = regather(in[j], widths.features(k, src), f, n);
                free[j] = g[j] != in[j] || (remaining[src] == 1 && owned(in[j], uses, batch) && n.inputs().get(1 - j) != src);
            }
            if (free[0] || free[1]) {
                int into = free[0] ? 0 : 1;
                return scope.keep(backend.addInPlace(g[into], g[1 - into]));
            }
            return scope.keep(backend.add(g[0], g[1]));
        }
    }

    private static void release(Tensor t, Map<Tensor, Integer> uses, Set<Tensor> batch) {
        if (t == null) {
            return;
        }
        Integer n = uses.get(t);
        if (n != null && n > 1) {
            uses.put(t, n - 1);
            return;
        }
        uses.remove(t);
        if (!batch.contains(t)) {
            t.close();
        }
    }

    /** A rate's value of a node whose full output is shared: the full output, or the rows rate k takes of it. */
    private Tensor derived(int k, Node n, Tensor full) {
        int[] map = rowMap(k, n);
        return map == null ? full : backend.gatherFeatures(full, PrunedWidths.featureAxis(n), map);
    }

    /** The full output of a node from full inputs (what every rate computes alike). */
    private Tensor full(Node n, Tensor[] in) {
        if (n.layer() instanceof Conv2d || n.layer() instanceof Linear) {
            Tensor[] wb = base(n);
            return linear(n, in[0], wb[0], wb[1]);
        }
        if (n.layer() instanceof BatchNorm2d && folding.isFolded(n.name())) {
            return in[0];
        }
        return n.layer().forward(backend, List.of(in), model);
    }

    /** A node of one rate from its inputs' held features. */
    private Tensor node(int k, Node n, Tensor[] in) {
        int i = n.index();
        int[] inFeatures = n.inputs().isEmpty() ? null : widths.features(k, n.inputs().get(0));
        if (n.layer() instanceof Conv2d || n.layer() instanceof Linear) {
            Tensor[] wb = weights(k, n, inFeatures);
            return linear(n, in[0], wb[0], wb[1]);
        }
        if (n.layer() instanceof BatchNorm2d && folding.isFolded(n.name())) {
            return in[0];
        }
        if (inFeatures != null && (n.layer() instanceof ReLU || n.layer() instanceof GELU || n.layer() instanceof MaxPool2d
                || n.layer() instanceof AvgPool2d || n.layer() instanceof AdaptiveAvgPool2d || n.layer() instanceof SelectToken
                || n.layer() instanceof Flatten)) {
            return n.layer().forward(backend, List.of(in), model); // per feature: on the held ones
        }
        if (n.layer() instanceof AttentionCore a && inFeatures != null) {
            int[] heads = PrunedWidths.keptHeads(a, inFeatures);
            int dh = a.dim() / a.heads();
            return new AttentionCore(heads.length * dh, heads.length).forward(backend, List.of(in), model);
        }
        // anything else reads every feature: its inputs at full width
        try (TensorScope scope = TensorScope.open()) {
            Tensor[] wide = new Tensor[in.length];
            for (int j = 0; j < in.length; j++) {
                Node src = graph.nodes().get(n.inputs().get(j));
                wide[j] = materialize(in[j], widths.features(k, src.index()), src);
            }
            return scope.keep(n.layer().forward(backend, List.of(wide), model));
        }
    }

    private Tensor linear(Node n, Tensor x, Tensor w, Tensor b) {
        if (n.layer() instanceof Conv2d c) {
            return backend.conv2d(x, w, b, c.spec());
        }
        return backend.linear(x, w, b);
    }

    /** The layer's weight and bias as the forward uses them: BatchNorm folded in where it follows. */
    private Tensor[] base(Node n) {
        BatchNormFolding.Folded f = folding.of(n.name());
        if (f != null) {
            return new Tensor[] {f.weight(), f.bias()};
        }
        String w = n.layer() instanceof Conv2d c ? c.weight() : ((Linear) n.layer()).weight();
        String b = n.layer() instanceof Conv2d c ? c.bias() : ((Linear) n.layer()).bias();
        return new Tensor[] {model.get(w), b == null ? null : model.get(b)};
    }

    /** The weight and bias of a node at rate k: its kept rows, and the columns of the input features held. */
    private Tensor[] weights(int k, Node n, int[] inFeatures) {
        if (ownWeights(k, n, inFeatures)) {
            return base(n);
        }
        Tensor[] cached = weights.get(key(k, n));
        return cached != null ? cached : gathered(k, n, inFeatures);
    }

    /** Whether a node at rate k runs with the layer's own weights: all its rows and all its input columns. */
    private boolean ownWeights(int k, Node n, int[] inFeatures) {
        return rowMap(k, n) == null && inFeatures == null;
    }

    /**
     * How rate k takes a node's output rows out of the full ones, as a gather map (-1 for a row
     * computed as zero), or null when it takes them all: the kept rows of a sliced layer (a
     * layer pruned whole: its one held row, as zero), every row of a full-width layer with the
     * pruned ones zero.
     */
    private int[] rowMap(int k, Node n) {
        int i = n.index();
        int[] rows = widths.rows(k, i);
        if (rows != null) {
            return widths.zeroRows(k, i) ? minusOnes(rows.length) : rows;
        }
        int[] zeroed = widths.zeroed(k, i);
        if (zeroed == null) {
            return null;
        }
        int[] map = new int[(int) PrunedWidths.featureCount(n)];
        for (int j = 0; j < map.length; j++) {
            map[j] = j;
        }
        for (int r : zeroed) {
            map[r] = -1;
        }
        return map;
    }

    /** Gathers the rows and columns (new tensors in the current scope, except a bias taken as it is). */
    private Tensor[] gathered(int k, Node n, int[] inFeatures) {
        Tensor[] base = base(n);
        int[] rowIndex = rowMap(k, n);
        Tensor w = base[0];
        Tensor b = base[1];
        try (TensorScope scope = TensorScope.open()) {
            if (rowIndex != null) {
                w = backend.gatherFeatures(w, 0, rowIndex);
                b = b == null ? null : scope.keep(backend.gatherFeatures(b, 0, rowIndex));
            }
            if (inFeatures != null) {
                w = backend.gatherFeatures(w, 1, inFeatures);
            }
            scope.keep(w);
        }
        return new Tensor[] {w, b};
    }

    /** x holding features {@code from} of node n, brought to hold {@code to} (zeros where x has none). */
    private Tensor regather(Tensor x, int[] from, int[] to, Node n) {
        if (java.util.Arrays.equals(from, to)) {
            return x;
        }
        int width = (int) PrunedWidths.featureCount(n);
        int[] position = new int[width];
        java.util.Arrays.fill(position, -1);
        if (from == null) {
            for (int j = 0; j < width; j++) {
                position[j] = j;
            }
        } else {
            for (int j = 0; j < from.length; j++) {
                position[from[j]] = j;
            }
        }
        int[] map = new int[to == null ? width : to.length];
        for (int j = 0; j < map.length; j++) {
            map[j] = position[to == null ? j : to[j]];
        }
        return backend.gatherFeatures(x, PrunedWidths.featureAxis(n), map);
    }

    /** x at the node's full width (zeros in the features not held). */
    private Tensor materialize(Tensor x, int[] features, Node n) {
        return features == null ? x : regather(x, features, null, n);
    }

    private static int[] minusOnes(int n) {
        int[] a = new int[n];
        java.util.Arrays.fill(a, -1);
        return a;
    }

    @Override
    public void close() {
        for (Tensor[] wb : weights.values()) {
            wb[0].close();
            if (wb[2] != null) {
                wb[2].close();
            }
        }
        weights.clear();
    }
}
