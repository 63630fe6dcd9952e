package org.relprune.lrp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.relprune.backend.Backend;
import org.relprune.backend.LrpOps;
import org.relprune.lrp.composite.AttentionRule;
import org.relprune.lrp.composite.Composite;
import org.relprune.lrp.composite.LayerGroup;
import org.relprune.lrp.composite.LayerGroups;
import org.relprune.lrp.composite.LayerKind;
import org.relprune.model.Graph;
import org.relprune.model.Model;
import org.relprune.model.Node;
import org.relprune.model.NodeRole;
import org.relprune.model.layers.AdaptiveAvgPool2d;
import org.relprune.model.layers.Add;
import org.relprune.model.layers.AttentionCore;
import org.relprune.model.layers.AvgPool2d;
import org.relprune.model.layers.BatchNorm2d;
import org.relprune.model.layers.Conv2d;
import org.relprune.model.layers.Flatten;
import org.relprune.model.layers.GELU;
import org.relprune.model.layers.Layer;
import org.relprune.model.layers.LayerNorm;
import org.relprune.model.layers.Linear;
import org.relprune.model.layers.MaxPool2d;
import org.relprune.model.layers.ReLU;
import org.relprune.model.layers.SelectToken;
import org.relprune.model.layers.VitEmbedding;
import org.relprune.tensor.DType;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Tensor;
import org.relprune.tensor.TensorScope;

/**
 * LRP for one batch: the forward pass runs once (with BatchNorm folded into the layer before it)
 * and caches every node's output; then any number of composites are explained from that cache
 * without another forward pass. The inputs u = W+ x+ + W- x- that some rules need are computed
 * once per layer on first use and cached too (they do not depend on rule hyperparameters), as
 * are the other input-only factors: the attention weights and LayerNorm's gamma / sigma. So a
 * second composite on the same batch runs only what depends on the rules. Close it to free the
 * cache.
 */
public final class Attributor implements AutoCloseable {
    private final Model model;
    private final Graph graph;
    private final Backend backend;
    private final BatchNormFolding folding;
    private final Tensor[] values;
    private final Tensor[] positiveParts;
    /** Per node, what its backward step needs that depends only on the input: attention weights, LayerNorm's gamma / sigma. */
    private final Tensor[] inputFactors;
    private final Boolean[] nonNegativeInputs;
    private final Map<String, LinearLayerView> linear = new LinkedHashMap<>();
    private final Map<String, LayerGroup> groups;
    private final String first;
    /**
     * Transformers follow LXT's convention, relevance = activation x gradient: the output relevance
     * is the target logit times one-hot (CNNs follow zennit's: one-hot).
     */
    private final boolean transformer;
    /** LRP-0 steps (activation x gradient in the reference) divide without a stabilizer; this only avoids 0/0. */
    private static final double LRP0_STABILIZER = 1e-12;
    private int forwardPasses;
    private final org.relprune.model.ForwardPass.NodeHook hook;
    /** The element type of the cached activations. */
    private final DType cache;
    private boolean closed;

    /** Runs the forward pass of {@code input} [n, C, H, W] and keeps what every later explanation needs. */
    public Attributor(Model model, Tensor input) {
        this(model, input, null);
    }

    /**
     * As {@link #Attributor(Model, Tensor)}, with every node's output of the forward pass passed
     * through {@code hook} before it is cached (e.g. a layer's activations scaled, for integrated
     * gradients along that layer's activations); null for none.
     */
    public Attributor(Model model, Tensor input, org.relprune.model.ForwardPass.NodeHook hook) {
        this(model, input, hook, DType.F32);
    }

    /**
     * As {@link #Attributor(Model, Tensor, org.relprune.model.ForwardPass.NodeHook)}, keeping the
     * cached activations (every node's output but the logits, and the u = W+ x+ + W- x- of the
     * rules) in {@code cache}: {@link DType#BF16} halves the cache's memory, at about 3
     * significant digits in the activations the rules read (each is widened back to F32 for the
     * step that uses it; the arithmetic stays F32).
     */
    public Attributor(Model model, Tensor input, org.relprune.model.ForwardPass.NodeHook hook, DType cache) {
        this.cache = java.util.Objects.requireNonNull(cache, "cache");
        this.hook = hook;
        this.model = model;
        this.graph = model.graph();
        this.backend = model.backend();
        this.folding = BatchNormFolding.of(model); // shared: the model keeps it
        List<String> order = new ArrayList<>();
        Map<String, Integer> blocks = new java.util.HashMap<>();
        Node classifierNode = graph.classifier();
        for (Node n : graph.nodes()) {
            Layer l = n.layer();
            if (l instanceof Conv2d || l instanceof Linear) {
                BatchNormFolding.Folded f = folding.of(n.name());
                Tensor w = f != null ? f.weight() : model.get(l instanceof Conv2d c ? c.weight() : ((Linear) l).weight());
                String biasName = l instanceof Conv2d c ? c.bias() : ((Linear) l).bias();
                Tensor b = f != null ? f.bias() : biasName == null ? null : model.get(biasName);
                linear.put(n.name(), LinearLayerView.of(n.name(), l, w, b));
                order.add(n.name());
                blocks.put(n.name(), n.block());
            }
        }
        this.transformer = graph.nodes().stream().anyMatch(n -> n.layer() instanceof AttentionCore);
        if (order.isEmpty()) {
            throw new IllegalArgumentException(graph.name() + " has no convolution or linear layer to explain");
        }
        if (classifierNode == null || !(classifierNode.layer() instanceof Linear)) {
            throw new IllegalArgumentException(graph.name() + " has no linear layer with role " + NodeRole.CLASSIFIER
                    + " (the graph's builder marks its classifier)");
        }
        String classifier = classifierNode.name();
        this.first = order.get(0);
        order.remove(classifier);
        // transformers by encoder blocks (the nodes' block indices), so a block's attention and MLP share a group
        this.groups = transformer ? LayerGroups.assignByBlocks(order, classifier, blocks::get)
                : LayerGroups.assign(order, classifier);
        this.values = new Tensor[graph.nodes().size()];
        this.positiveParts = new Tensor[graph.nodes().size()];
        this.inputFactors = new Tensor[graph.nodes().size()];
        this.nonNegativeInputs = new Boolean[graph.nodes().size()];
        forward(input);
        if (cache != DType.F32) {
            narrowCache();
        }
    }

    /** The cached node outputs (not the logits, not the caller's input) in the cache's element type; views share one copy. */
    private void narrowCache() {
        Map<Tensor, Tensor> narrowed = new java.util.IdentityHashMap<>();
        narrowed.put(values[0], values[0]);
        try (TensorScope scope = TensorScope.open()) {
            for (int i = 1; i < values.length - 1; i++) {
                Tensor v = values[i];
                Tensor n = narrowed.get(v);
                if (n == null) {
                    n = TensorScope.detach(backend.convert(v, cache));
                    narrowed.put(v, n);
                }
                values[i] = n;
            }
        }
        for (Map.Entry<Tensor, Tensor> e : narrowed.entrySet()) {
            if (e.getKey() != values[0] && e.getKey() != values[values.length - 1]) {
                e.getKey().close();
            }
        }
    }

    /** A cached tensor as F32: itself, or widened into the current scope (freed with the step that asked). */
    private Tensor f32(Tensor cached) {
        return cached.dtype() == DType.F32 ? cached : backend.convert(cached, DType.F32);
    }

    /** The cached output of node {@code index}, as F32. */
    private Tensor value(int index) {
        return f32(values[index]);
    }

    /**
     * Bytes held by this attributor's cache (node outputs but the input, u of the rules, input-only
     * factors), each tensor counted once.
     */
    public long cacheBytes() {
        java.util.Set<Tensor> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        seen.add(values[0]);
        long bytes = 0;
        for (Tensor[] kind : List.of(values, positiveParts, inputFactors)) {
            for (Tensor t : kind) {
                if (t != null && seen.add(t)) {
                    bytes += t.numel() * t.dtype().bytes();
                }
            }
        }
        return bytes;
    }

    private void forward(Tensor input) {
        values[0] = input;
        try (TensorScope scope = TensorScope.open()) {
            for (int i = 1; i < values.length; i++) {
                Node n = graph.nodes().get(i);
                List<Tensor> in = inputs(n);
                Tensor out;
                LinearLayerView view = linear.get(n.name());
                if (view != null) {
                    out = view.isConv() ? backend.conv2d(in.get(0), view.weight(), view.bias(), view.spec())
                            : backend.linear(in.get(0), view.weight(), view.bias());
                } else if (n.layer() instanceof BatchNorm2d && folding.isFolded(n.name())) {
                    out = in.get(0);
                } else {
                    out = n.layer().forward(backend, in, model);
                }
                if (hook != null) {
                    out = hook.after(n, out); // a replaced output is freed with the scope
                }
                values[i] = out == in.get(0) ? out : TensorScope.detach(out);
            }
        }
        forwardPasses++;
    }

    /** How many forward passes this attributor has run (one, whatever the number of explanations). */
    public int forwardPasses() {
        return forwardPasses;
    }

    /** The logits of the cached forward pass. */
    public HostTensor logits() {
        return backend.download(values[values.length - 1]);
    }

    /** Explains the cached batch for the given target classes with a composite. */
    public Attribution explain(Composite composite, int[] targets) {
        return explain(composite, targets, transformer ? Start.LOGIT : Start.ONE_HOT);
    }

    /**
     * What the explained output starts with: one-hot(target) (zennit's convention, the CNN
     * default) or the target logit times one-hot (LXT's activation x gradient, the transformer
     * default; with LRP-0 everywhere the relevance at any layer is then activation x gradient).
     */
    public enum Start { ONE_HOT, LOGIT }

    /** {@link #explain(Composite, int[])} with an explicit start relevance. */
    public Attribution explain(Composite composite, int[] targets, Start startWith) {
        check();
        LrpOps ops = backend.lrp();
        RuleWeights weights = RuleWeights.of(model);
        weights.trim(); // what this explanation builds stays until it is done
        LinearRelevance rules = new LinearRelevance(backend, weights);
        Map<String, HostTensor> channels = new LinkedHashMap<>();
        Map<String, HostTensor> neurons = new LinkedHashMap<>();
        Map<String, HostTensor> neuronsAbs = new LinkedHashMap<>();
        Map<String, HostTensor> heads = new LinkedHashMap<>();
        Map<String, HostTensor> headsAbs = new LinkedHashMap<>();
        Tensor[] relevance = new Tensor[values.length];
        try (TensorScope scope = TensorScope.open()) {
            Tensor logits = values[values.length - 1];
            Tensor start = ops.oneHot(targets, (int) logits.shape().dim(-1));
            relevance[values.length - 1] = startWith == Start.LOGIT ? ops.multiply(start, logits) : start;
            for (int i = values.length - 1; i >= 1; i--) {
                Tensor r = relevance[i];
                if (r == null) {
                    continue;
                }
                Node n = graph.nodes().get(i);
                try (TensorScope step = TensorScope.open()) {
                    List<Tensor> in = propagate(n, r, composite, rules, new Readouts(channels, neurons, neuronsAbs, heads, headsAbs));
                    for (int k = 0; k < n.inputs().size(); k++) {
                        int j = n.inputs().get(k);
                        Tensor part = step.keep(in.get(k));
                        relevance[j] = relevance[j] == null ? part : step.keep(backend.add(relevance[j], part));
                    }
                }
                relevance[i] = null;
            }
            HostTensor input = backend.download(relevance[0]);
            return new Attribution(input, channels, neurons, neuronsAbs, heads, headsAbs);
        }
    }

    /** Where the component read-outs of one explanation go, by node name. */
    private record Readouts(Map<String, HostTensor> channels, Map<String, HostTensor> neurons, Map<String, HostTensor> neuronsAbs,
                            Map<String, HostTensor> heads, Map<String, HostTensor> headsAbs) {
    }

    private List<Tensor> propagate(Node n, Tensor r, Composite composite, LinearRelevance rules, Readouts readouts) {
        LrpOps ops = backend.lrp();
        Layer l = n.layer();
        List<Tensor> in = inputs(n);
        Tensor out = value(n.index());
        LinearLayerView view = linear.get(n.name());
        if (view != null) {
            LayerKind kind = l instanceof Conv2d ? LayerKind.CONV : LayerKind.LINEAR;
            Rule rule;
            if (n.role() == NodeRole.ATTENTION_IN_PROJECTION || n.role() == NodeRole.ATTENTION_OUT_PROJECTION) {
                rule = new Rule.Epsilon(LRP0_STABILIZER); // CP-LRP: value and out projections propagate LRP-0
            } else if (n.name().equals(first)) {
                rule = composite.ruleForFirst(kind, groups.get(n.name()));
            } else {
                rule = composite.ruleFor(kind, groups.get(n.name()));
            }
            // read-outs of the output relevance, taken in the signals pass: conv channels summed
            // over space, MLP hidden neurons summed over tokens
            // hidden neurons: a ViT's MLP hidden layer (fc1), or any linear layer of a CNN / MLP but its classifier
            boolean mlpHidden = transformer ? n.role() == NodeRole.MLP_HIDDEN : l instanceof Linear && n.role() != NodeRole.CLASSIFIER;
            int readout = l instanceof Conv2d ? 1 : mlpHidden ? (r.shape().rank() == 3 ? (int) r.shape().dim(1) : 1) : 0;
            boolean signedRule = !(rule instanceof Rule.Epsilon || rule instanceof Rule.Flat || rule instanceof Rule.WSquare || rule instanceof Rule.ZBox);
            boolean nonNegative = signedRule && inputNonNegative(n);
            Tensor u = LinearRelevance.needsU(rule) ? positivePart(n, view, nonNegative) : null;
            LinearRelevance.Result res = rules.propagate(view, rule, in.get(0), out, u, r, nonNegative, readout);
            if (l instanceof Conv2d) {
                readouts.channels().put(n.name(), backend.download(res.sums()));
            } else if (mlpHidden) {
                readouts.neurons().put(n.name(), backend.download(res.sums()));
                readouts.neuronsAbs().put(n.name(), backend.download(res.absSums()));
            }
            return List.of(res.relevance());
        }
        if (l instanceof ReLU || l instanceof GELU || l instanceof BatchNorm2d) {
            return List.of(r);
        }
        if (l instanceof MaxPool2d p) {
            return List.of(ops.maxPoolWinners(r, in.get(0), p.spec()));
        }
        if (l instanceof AvgPool2d p) {
            Tensor g = ops.stabilizedDivide(r, out, Rule.DEFAULT_STABILIZER);
            return List.of(ops.multiply(in.get(0), ops.avgPoolAdjoint(g, in.get(0).shape(), p.spec())));
        }
        if (l instanceof AdaptiveAvgPool2d) {
            Tensor g = ops.stabilizedDivide(r, out, Rule.DEFAULT_STABILIZER);
            return List.of(ops.multiply(in.get(0), ops.adaptiveAvgPoolAdjoint(g, in.get(0).shape())));
        }
        if (l instanceof Add) {
            // zennit's residual Sum rule has a stabilizer; LXT's residual adds are plain activation x gradient
            double eps = transformer ? LRP0_STABILIZER : Rule.DEFAULT_STABILIZER;
            return List.of(ops.ratio(r, out, in.get(0), eps), ops.ratio(r, out, in.get(1), eps));
        }
        if (l instanceof VitEmbedding) {
            Tensor g = ops.stabilizedDivide(r, out, LRP0_STABILIZER);
            return List.of(ops.multiply(in.get(0), ops.tokensToPatchGrid(g, in.get(0).shape())));
        }
        if (l instanceof SelectToken s) {
            return List.of(ops.scatterToken(r, s.index(), in.get(0).shape()));
        }
        if (l instanceof LayerNorm ln) {
            Tensor g = ops.stabilizedDivide(r, out, LRP0_STABILIZER);
            Tensor scale = inputFactor(n, () -> ops.layerNormScale(in.get(0), model.get(ln.prefix() + ".weight"), (float) ln.eps()));
            return List.of(ops.multiply(in.get(0), ops.layerNormAdjoint(g, scale)));
        }
        if (l instanceof AttentionCore a) {
            LrpOps.AttentionMode mode = composite.attentionRule() == AttentionRule.CP ? LrpOps.AttentionMode.CONSTANT_WEIGHTS
                    : LrpOps.AttentionMode.SOFTMAX_BILINEAR;
            Tensor weights = inputFactor(n, () -> ops.attentionWeights(in.get(0), a.heads()));
            LrpOps.AttentionRelevance ar = ops.attention(in.get(0), weights, out, r, a.heads(), mode, LRP0_STABILIZER);
            readouts.heads().put(n.name(), backend.download(ar.heads()));
            readouts.headsAbs().put(n.name(), backend.download(ar.headsAbs()));
            return List.of(ar.qkv());
        }
        if (l instanceof Flatten) {
            return List.of(backend.reshape(r, in.get(0).shape()));
        }
        throw new UnsupportedOperationException("LRP through " + l.kind() + " (node " + n.name() + ") is not built yet");
    }

    /**
     * u = W+ x+ + W- x-: one forward with the input's sign parts stacked, cached per layer; for a
     * non-negative input x- = 0, so u = W+ x, one forward at the layer's own width.
     */
    private Tensor positivePart(Node n, LinearLayerView view, boolean nonNegative) {
        Tensor u = positiveParts[n.index()];
        if (u == null) {
            try (TensorScope scope = TensorScope.open()) {
                LrpOps ops = backend.lrp();
                Tensor x = value(n.inputs().get(0));
                Tensor w = view.weight();
                // the weights of u are the model's: built once, kept with it (RuleWeights)
                RuleWeights kept = RuleWeights.of(model);
                if (nonNegative) {
                    Tensor wp = kept.get(n.name() + "|" + LinearRelevance.POSITIVE_WEIGHTS, () -> ops.weightPart(w, LrpOps.WeightPart.POSITIVE));
                    u = TensorScope.detach(view.forward(backend, x, wp));
                } else {
                    Tensor stacked = kept.get(n.name() + "|" + LinearRelevance.SIGN_PARTS,
                            () -> ops.concat(List.of(ops.weightPart(w, LrpOps.WeightPart.POSITIVE), ops.weightPart(w, LrpOps.WeightPart.NEGATIVE)), 1));
                    u = TensorScope.detach(view.forward(backend, ops.splitSigns(x, view.axis()), stacked));
                }
            }
            if (cache != DType.F32) {
                Tensor wide = u;
                try (TensorScope scope = TensorScope.open()) {
                    u = TensorScope.detach(backend.convert(wide, cache));
                }
                wide.close();
            }
            positiveParts[n.index()] = u;
        }
        return f32(u);
    }

    /** The input-only factor of a node's backward step, computed on first use and kept for later explanations. */
    private Tensor inputFactor(Node n, java.util.function.Supplier<Tensor> compute) {
        Tensor f = inputFactors[n.index()];
        if (f == null) {
            try (TensorScope scope = TensorScope.open()) {
                f = TensorScope.detach(compute.get());
            }
            inputFactors[n.index()] = f;
        }
        return f;
    }

    /** Whether the input of a linear node is >= 0 everywhere; checked once per batch. */
    private boolean inputNonNegative(Node n) {
        Boolean known = nonNegativeInputs[n.index()];
        if (known == null) {
            // a ReLU's output (pooled or not) is >= 0 by construction; otherwise one pass over the data
            Node producer = graph.nodes().get(n.inputs().get(0));
            known = (hook == null && afterReLU(producer)) || backend.lrp().nonNegative(value(producer.index()));
            nonNegativeInputs[n.index()] = known;
        }
        return known;
    }

    /** Whether a node's output is a ReLU's, possibly max- or average-pooled (NaN aside, never negative). */
    private boolean afterReLU(Node n) {
        if (n.layer() instanceof ReLU) {
            return true;
        }
        boolean pooling = n.layer() instanceof MaxPool2d || n.layer() instanceof AvgPool2d || n.layer() instanceof AdaptiveAvgPool2d;
        return pooling && afterReLU(graph.nodes().get(n.inputs().get(0)));
    }

    private List<Tensor> inputs(Node n) {
        List<Tensor> in = new ArrayList<>(n.inputs().size());
        for (int j : n.inputs()) {
            in.add(value(j));
        }
        return in;
    }

    private void check() {
        if (closed) {
            throw new IllegalStateException("attributor used after close");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        java.util.Set<Tensor> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (int i = 1; i < values.length; i++) {
            if (values[i] != null && seen.add(values[i])) {
                values[i].close();
            }
            if (positiveParts[i] != null) {
                positiveParts[i].close();
            }
            if (inputFactors[i] != null) {
                inputFactors[i].close();
            }
        }
    }
}
