package org.relprune.model;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.relprune.backend.Backend;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Tensor;
import org.relprune.tensor.TensorScope;

/**
 * A graph with its weights resident on one backend. Owns the device tensors; close it to free them.
 * Use after close fails loudly.
 */
public final class Model implements AutoCloseable, Weights {
    private final Graph graph;
    private final Backend backend;
    private final Map<String, Tensor> tensors;
    /** Objects computed from the weights (folded BatchNorm, rule-modified weights), closed with the model. */
    private final Map<Object, AutoCloseable> derived = new LinkedHashMap<>();
    private boolean closed;

    private Model(Graph graph, Backend backend, Map<String, Tensor> tensors) {
        this.graph = graph;
        this.backend = backend;
        this.tensors = tensors;
    }

    /**
     * Uploads checked host weights (see {@link WeightCheck}) and the tensors the layers derive from
     * them (folded BatchNorm), outside any caller's scope.
     */
    public static Model load(Graph graph, Map<String, HostTensor> weights, Backend backend) {
        WeightCheck.check(graph, weights, "weights");
        Map<String, HostTensor> all = new LinkedHashMap<>();
        for (String name : graph.params().keySet()) {
            HostTensor h = weights.get(name);
            if (h != null) {
                all.put(name, h);
            }
        }
        for (Node n : graph.nodes()) {
            all.putAll(n.layer().derived(weights));
        }
        Map<String, Tensor> device = new HashMap<>();
        try (TensorScope scope = TensorScope.open()) {
            for (Map.Entry<String, HostTensor> e : all.entrySet()) {
                device.put(e.getKey(), scope.keep(backend.upload(e.getValue())));
            }
        }
        return new Model(graph, backend, device);
    }

    public Graph graph() {
        return graph;
    }

    public Backend backend() {
        return backend;
    }

    @Override
    public Tensor get(String name) {
        if (closed) {
            throw new IllegalStateException("model " + graph.name() + " used after close");
        }
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalStateException("model " + graph.name() + " has no tensor '" + name + "'");
        }
        return t;
    }

    /** Logits [batch, classes] for input [batch, C, H, W] on this model's backend. */
    public Tensor forward(Tensor input) {
        if (closed) {
            throw new IllegalStateException("model " + graph.name() + " used after close");
        }
        return ForwardPass.run(graph, this, backend, input);
    }

    /**
     * A value computed from this model's weights once and shared by every later user (the
     * weights never change): made by {@code make} on first use, closed when the model closes.
     */
    public synchronized <T extends AutoCloseable> T derived(Object key, Class<T> type, java.util.function.Supplier<T> make) {
        if (closed) {
            throw new IllegalStateException("model " + graph.name() + " used after close");
        }
        AutoCloseable v = derived.get(key);
        if (v == null) {
            v = java.util.Objects.requireNonNull(make.get(), "derived value");
            derived.put(key, v);
        }
        return type.cast(v);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            for (AutoCloseable d : derived.values()) {
                try {
                    d.close();
                } catch (Exception e) {
                    throw new IllegalStateException("closing a value derived from model " + graph.name() + ": " + e.getMessage(), e);
                }
            }
            derived.clear();
            tensors.values().forEach(Tensor::close);
            tensors.clear();
        }
    }
}
