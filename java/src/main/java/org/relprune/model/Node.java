package org.relprune.model;

import java.util.List;
import org.relprune.model.layers.Layer;

/**
 * A node of the graph: a named layer (the torchvision module path, or a descriptive name for
 * operations torchvision does not register as modules, e.g. "layer1.0.add") and the indices of
 * the nodes it reads. Index 0 is the graph input.
 */
public record Node(int index, String name, Layer layer, List<Integer> inputs, org.relprune.tensor.Shape shape) {
    public Node {
        inputs = List.copyOf(inputs);
    }
}
