package org.relprune.prune;

import java.util.ArrayList;
import java.util.List;
import org.relprune.model.Graph;
import org.relprune.model.Node;
import org.relprune.model.NodeRole;
import org.relprune.model.layers.AttentionCore;
import org.relprune.model.layers.BatchNorm2d;
import org.relprune.model.layers.Conv2d;
import org.relprune.model.layers.Linear;

/** The prunable layers of a graph for a component kind, in model order. */
public final class Components {
    private Components() {
    }

    public static List<PrunableLayer> of(Graph g, ComponentKind kind) {
        boolean vit = g.nodes().stream().anyMatch(n -> n.layer() instanceof AttentionCore);
        if (vit != (kind == ComponentKind.NEURONS || kind == ComponentKind.HEADS)) {
            throw new IllegalArgumentException(vit ? g.name() + " is a vision transformer: use --components neurons or heads"
                    : g.name() + " has no attention: --components " + kind.option() + " is for vision transformers (use channels or linear)");
        }
        List<PrunableLayer> layers = new ArrayList<>();
        for (Node n : g.nodes()) {
            if (kind == ComponentKind.CHANNELS && n.layer() instanceof Conv2d c) {
                String mask = n.name();
                Node after = g.soleReader(n);
                if (after != null && after.layer() instanceof BatchNorm2d) {
                    mask = after.name(); // a channel is removed after its BatchNorm (the shift would revive it)
                }
                layers.add(new PrunableLayer(n.name(), mask, c.weight(), (int) n.shape().dim(0)));
            } else if (kind == ComponentKind.LINEAR && n.layer() instanceof Linear l && n.role() != NodeRole.CLASSIFIER) {
                layers.add(new PrunableLayer(n.name(), n.name(), l.weight(), (int) n.shape().dim(-1), -1, 1, kind));
            } else if (kind == ComponentKind.NEURONS && n.layer() instanceof Linear l && n.role() == NodeRole.MLP_HIDDEN) {
                layers.add(new PrunableLayer(n.name(), n.name(), l.weight(), (int) n.shape().dim(-1), -1, 1, kind));
            } else if (kind == ComponentKind.HEADS && n.layer() instanceof AttentionCore a) {
                Node inProj = g.nodes().get(n.inputs().get(0));
                if (!(inProj.layer() instanceof Linear l)) {
                    throw new IllegalArgumentException(n.name() + ": the attention input is not a packed in-projection");
                }
                layers.add(new PrunableLayer(n.name(), n.name(), l.weight(), a.heads(), -1, a.dim() / a.heads(), kind));
            }
        }
        if (layers.isEmpty()) {
            throw new IllegalArgumentException(g.name() + " has no " + (kind == ComponentKind.CHANNELS
                    ? "Conv2d layer to prune (try --components linear)" : "hidden Linear layer to prune (the classifier is never pruned)"));
        }
        return layers;
    }

    /** Total number of components. */
    public static int total(List<PrunableLayer> layers) {
        return layers.stream().mapToInt(PrunableLayer::count).sum();
    }
}
