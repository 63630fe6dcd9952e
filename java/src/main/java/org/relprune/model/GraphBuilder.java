package org.relprune.model;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.relprune.model.layers.Input;
import org.relprune.model.layers.Layer;
import org.relprune.tensor.Shape;

/**
 * Appends nodes in execution order, inferring each node's per-sample shape as it goes. A node
 * gets role {@link NodeRole#OTHER} and no block unless it is added with them.
 */
public final class GraphBuilder {
    private final String name;
    private final List<Node> nodes = new ArrayList<>();
    private final Set<String> names = new HashSet<>();

    public GraphBuilder(String name, Shape inputShape) {
        this.name = name;
        nodes.add(new Node(0, "input", new Input(inputShape), List.of(), inputShape, NodeRole.OTHER, Node.NO_BLOCK));
        names.add("input");
    }

    /** Index of the graph input. */
    public int input() {
        return 0;
    }

    /** Adds a node (role OTHER, outside every block) reading the given earlier nodes; returns its index. */
    public int add(String nodeName, Layer layer, int... inputs) {
        return add(nodeName, NodeRole.OTHER, Node.NO_BLOCK, layer, inputs);
    }

    /** Adds a node with a role, outside every block; returns its index. */
    public int add(String nodeName, NodeRole role, Layer layer, int... inputs) {
        return add(nodeName, role, Node.NO_BLOCK, layer, inputs);
    }

    /**
     * Adds a node with a role and the index of the block it belongs to ({@link Node#NO_BLOCK} for
     * none); returns its index. At most one node may be the {@link NodeRole#CLASSIFIER}.
     */
    public int add(String nodeName, NodeRole role, int block, Layer layer, int... inputs) {
        if (role == NodeRole.CLASSIFIER && nodes.stream().anyMatch(n -> n.role() == NodeRole.CLASSIFIER)) {
            throw new IllegalStateException(name + ": node " + nodeName + " is a second classifier");
        }
        if (!names.add(nodeName)) {
            throw new IllegalStateException("duplicate node name " + nodeName);
        }
        List<Integer> in = new ArrayList<>();
        List<Shape> shapes = new ArrayList<>();
        for (int i : inputs) {
            if (i < 0 || i >= nodes.size()) {
                throw new IllegalStateException("node " + nodeName + " reads unknown node " + i);
            }
            in.add(i);
            shapes.add(nodes.get(i).shape());
        }
        Shape out;
        try {
            out = layer.outputShape(shapes);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": node " + nodeName + " (" + layer.kind() + "): " + e.getMessage(), e);
        }
        nodes.add(new Node(nodes.size(), nodeName, layer, in, out, role, block));
        return nodes.size() - 1;
    }

    public Shape shape(int index) {
        return nodes.get(index).shape();
    }

    public Graph build() {
        return new Graph(name, nodes);
    }
}
