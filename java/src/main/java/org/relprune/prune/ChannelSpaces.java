package org.relprune.prune;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.relprune.model.Graph;
import org.relprune.model.Node;
import org.relprune.model.layers.AdaptiveAvgPool2d;
import org.relprune.model.layers.Add;
import org.relprune.model.layers.AvgPool2d;
import org.relprune.model.layers.BatchNorm2d;
import org.relprune.model.layers.Conv2d;
import org.relprune.model.layers.Flatten;
import org.relprune.model.layers.GELU;
import org.relprune.model.layers.Linear;
import org.relprune.model.layers.MaxPool2d;
import org.relprune.model.layers.ReLU;

/**
 * Which node outputs share one channel axis in a CNN: BatchNorm, activations and pooling keep
 * their input's channels, a residual Add ties the channels of all its inputs, a convolution or
 * linear layer starts new ones, Flatten turns channels into blocks of features. Channels tied
 * this way must be pruned together (a coupled group); a space that reaches the input or is made
 * by a linear layer (the classifier) is not prunable here.
 */
public final class ChannelSpaces {
    private final Graph graph;
    private final int[] parent;
    /** For a Flatten output: the node whose channel space it flattens. */
    private final Map<Integer, Integer> flattened = new LinkedHashMap<>();

    private ChannelSpaces(Graph graph) {
        this.graph = graph;
        this.parent = new int[graph.nodes().size()];
        for (int i = 0; i < parent.length; i++) {
            parent[i] = i;
        }
    }

    public static ChannelSpaces of(Graph g) {
        ChannelSpaces s = new ChannelSpaces(g);
        for (Node n : g.nodes()) {
            if (n.index() == 0 || n.layer() instanceof Conv2d || n.layer() instanceof Linear) {
                continue; // a space of its own
            }
            if (n.layer() instanceof BatchNorm2d || n.layer() instanceof ReLU || n.layer() instanceof GELU || n.layer() instanceof MaxPool2d
                    || n.layer() instanceof AvgPool2d || n.layer() instanceof AdaptiveAvgPool2d) {
                s.union(n.index(), n.inputs().get(0));
            } else if (n.layer() instanceof Add) {
                for (int in : n.inputs()) {
                    s.union(n.index(), in);
                }
            } else if (n.layer() instanceof Flatten) {
                s.flattened.put(n.index(), n.inputs().get(0));
            } else {
                throw new IllegalArgumentException(g.name() + ": coupled channel groups through " + n.layer().kind() + " (node " + n.name()
                        + ") are not built (CNNs of convolutions, BatchNorm, pooling, residual adds and linear layers only)");
            }
        }
        return s;
    }

    private int find(int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    private void union(int a, int b) {
        int ra = find(a);
        int rb = find(b);
        if (ra != rb) {
            // the smaller index stays root: the earliest node of a space names it
            parent[Math.max(ra, rb)] = Math.min(ra, rb);
        }
    }

    /** The space (its root node index) of a node's output. */
    public int spaceOf(int node) {
        return find(node);
    }

    /** For a Flatten node: the node whose channels it flattens, else -1. */
    public int flattenSource(int node) {
        return flattened.getOrDefault(node, -1);
    }

    /**
     * The coupled groups of the prunable conv channels: layers (from {@link Components}, kind
     * CHANNELS) whose outputs share a space, in model order of their first member. Spaces that
     * reach the graph input or hold a linear layer's output are left out, with their convs.
     */
    public List<int[]> groups(List<PrunableLayer> layers) {
        Map<Integer, List<Integer>> bySpace = new LinkedHashMap<>();
        for (int l = 0; l < layers.size(); l++) {
            int space = spaceOf(graph.node(layers.get(l).layer()).index());
            bySpace.computeIfAbsent(space, k -> new ArrayList<>()).add(l);
        }
        List<int[]> groups = new ArrayList<>();
        for (Map.Entry<Integer, List<Integer>> e : bySpace.entrySet()) {
            boolean blocked = spaceOf(0) == e.getKey();
            for (Node n : graph.nodes()) {
                if (n.layer() instanceof Linear && spaceOf(n.index()) == e.getKey()) {
                    blocked = true;
                }
            }
            if (!blocked) {
                groups.add(e.getValue().stream().mapToInt(Integer::intValue).toArray());
            }
        }
        return groups;
    }
}
