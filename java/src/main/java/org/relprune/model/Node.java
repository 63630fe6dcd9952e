package org.relprune.model;

import java.util.List;
import java.util.Objects;
import org.relprune.model.layers.Layer;
import org.relprune.tensor.Shape;

/**
 * A node of the graph: a named layer (the torchvision module path, or a descriptive name for
 * operations torchvision does not register as modules, e.g. "layer1.0.add"), the indices of
 * the nodes it reads, its per-sample output shape, its {@link NodeRole role} and the index of
 * the transformer block it belongs to ({@link #NO_BLOCK} outside every block), both set by the
 * builder that made the graph. Index 0 is the graph input.
 */
public record Node(int index, String name, Layer layer, List<Integer> inputs, Shape shape, NodeRole role, int block) {
    /** The block index of a node outside every block. */
    public static final int NO_BLOCK = -1;

    public Node {
        inputs = List.copyOf(inputs);
        Objects.requireNonNull(role, "role");
        if (block < NO_BLOCK) {
            throw new IllegalArgumentException("node " + name + ": block " + block + " (a block index is >= 0, or -1 for none)");
        }
    }
}
