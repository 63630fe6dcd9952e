package org.relprune.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.relprune.tensor.Shape;

/**
 * The graph IR: nodes in topological order (node 0 is the input), the output node last, and the
 * weights the nodes read. Immutable; build one with {@link GraphBuilder}.
 */
public final class Graph {
    private final String name;
    private final List<Node> nodes;
    private final Map<String, ParamSpec> params;

    Graph(String name, List<Node> nodes) {
        this.name = name;
        this.nodes = List.copyOf(nodes);
        Map<String, ParamSpec> p = new LinkedHashMap<>();
        for (Node n : nodes) {
            for (ParamSpec s : n.layer().params()) {
                ParamSpec prior = p.putIfAbsent(s.name(), s);
                if (prior != null && !prior.equals(s)) {
                    throw new IllegalStateException("parameter " + s.name() + " declared twice with different shapes");
                }
            }
        }
        this.params = Collections.unmodifiableMap(p);
    }

    /** Architecture name, e.g. "resnet50" or "torchvision.ResNet". */
    public String name() {
        return name;
    }

    public List<Node> nodes() {
        return nodes;
    }

    public Node node(String nodeName) {
        for (Node n : nodes) {
            if (n.name().equals(nodeName)) {
                return n;
            }
        }
        throw new IllegalArgumentException("no node named '" + nodeName + "' in " + name);
    }

    /** Per-sample input shape [C, H, W]. */
    public Shape inputShape() {
        return nodes.get(0).shape();
    }

    public Node output() {
        return nodes.get(nodes.size() - 1);
    }

    /** The node with role {@link NodeRole#CLASSIFIER}, or null when the graph has none. */
    public Node classifier() {
        for (Node n : nodes) {
            if (n.role() == NodeRole.CLASSIFIER) {
                return n;
            }
        }
        return null;
    }

    /** Every weight the graph reads, in model order. */
    public Map<String, ParamSpec> params() {
        return params;
    }

    /** Trainable parameter count (buffers excluded). */
    public long parameterCount() {
        long n = 0;
        for (ParamSpec s : params.values()) {
            if (s.trainable()) {
                n = exactSum(n, s.shape().numel(), "parameters");
            }
        }
        return n;
    }

    private long exactSum(long a, long b, String what) {
        try {
            return Math.addExact(a, b);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(name + " has more than 2^63 " + what + ": its widths are too large");
        }
    }

    /** Multiply-accumulates per image at the input size. */
    public long macs() {
        long total = 0;
        for (Node n : nodes) {
            long m;
            try {
                m = n.layer().macs(inputShapes(n));
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException(name + ": " + n.name() + " takes more than 2^63 multiply-accumulates: its widths are too large");
            }
            total = exactSum(total, m, "multiply-accumulates");
        }
        return total;
    }

    public List<Shape> inputShapes(Node n) {
        List<Shape> shapes = new ArrayList<>(n.inputs().size());
        for (int i : n.inputs()) {
            shapes.add(nodes.get(i).shape());
        }
        return shapes;
    }

    /** For each node, how many later nodes read its output (the output node counts one extra). */
    public int[] consumerCounts() {
        int[] counts = new int[nodes.size()];
        for (Node n : nodes) {
            for (int i : n.inputs()) {
                counts[i]++;
            }
        }
        counts[nodes.size() - 1]++;
        return counts;
    }

    /** The single node that reads {@code n}'s output, or null when none or several do. */
    public Node soleReader(Node n) {
        Node found = null;
        for (Node m : nodes) {
            if (m.inputs().contains(n.index())) {
                if (found != null) {
                    return null;
                }
                found = m;
            }
        }
        return found;
    }
}
