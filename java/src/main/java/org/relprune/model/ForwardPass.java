package org.relprune.model;

import java.util.ArrayList;
import java.util.List;
import org.relprune.backend.Backend;
import org.relprune.backend.TrainingBackend;
import org.relprune.tensor.Shape;
import org.relprune.tensor.Tensor;
import org.relprune.tensor.TensorScope;

/**
 * Runs a graph node by node and frees each intermediate result as soon as its last reader has
 * run, so peak memory is the live frontier of the graph, not the sum of all activations.
 */
public final class ForwardPass {
    private ForwardPass() {
    }

    /** Returns the output node's tensor (owned by the caller's scope); the input is not closed. */
    public static Tensor run(Graph graph, Weights weights, Backend backend, Tensor input) {
        return run(graph, input, (node, in) -> node.layer().forward(backend, in, weights));
    }

    /** What replaces a node's output before its readers see it (e.g. a structured mask); return the output itself to keep it. */
    public interface NodeHook {
        Tensor after(Node node, Tensor output);
    }

    /** {@link #run(Graph, Weights, Backend, Tensor)} with every node's output passed through {@code hook}. */
    public static Tensor run(Graph graph, Weights weights, Backend backend, Tensor input, NodeHook hook) {
        return run(graph, input, (node, in) -> {
            Tensor out = node.layer().forward(backend, in, weights);
            Tensor replaced = hook.after(node, out);
            if (replaced != out) {
                out.close();
            }
            return replaced;
        });
    }

    /** The same in training mode (BatchNorm on batch statistics), recorded by the backend's autograd. */
    public static Tensor runTraining(Graph graph, Weights weights, TrainingBackend backend, Tensor input) {
        return run(graph, input, (node, in) -> node.layer().forwardTraining(backend, in, weights));
    }

    private interface NodeRunner {
        Tensor apply(Node node, List<Tensor> inputs);
    }

    private static Tensor run(Graph graph, Tensor input, NodeRunner runner) {
        Shape expected = graph.inputShape();
        Shape got = input.shape();
        long[] dims = got.dims();
        if (got.rank() != expected.rank() + 1 || !Shape.of(java.util.Arrays.copyOfRange(dims, 1, dims.length)).equals(expected)) {
            throw new IllegalArgumentException(graph.name() + " expects input [batch, " + joined(expected) + "], got " + got);
        }
        List<Node> nodes = graph.nodes();
        Tensor[] values = new Tensor[nodes.size()];
        int[] remaining = graph.consumerCounts();
        values[0] = input;
        Tensor result;
        try (TensorScope scope = TensorScope.open()) {
            for (int i = 1; i < nodes.size(); i++) {
                Node node = nodes.get(i);
                List<Tensor> in = new ArrayList<>(node.inputs().size());
                for (int j : node.inputs()) {
                    in.add(values[j]);
                }
                try {
                    values[i] = runner.apply(node, in);
                } catch (RuntimeException e) {
                    throw new IllegalStateException(graph.name() + ": node " + node.name() + " (" + node.layer().kind() + "): " + e.getMessage(), e);
                }
                for (int j : node.inputs()) {
                    if (--remaining[j] == 0 && j != 0) {
                        values[j].close();
                        values[j] = null;
                    }
                }
            }
            result = scope.keep(values[nodes.size() - 1]);
        }
        return result;
    }

    private static String joined(Shape s) {
        String t = s.toString();
        return t.substring(1, t.length() - 1);
    }
}
