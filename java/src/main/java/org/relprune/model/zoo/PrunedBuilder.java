package org.relprune.model.zoo;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.HashMap;
import java.util.Map;
import org.relprune.model.Graph;
import org.relprune.model.GraphBuilder;
import org.relprune.model.Node;
import org.relprune.model.layers.AttentionCore;
import org.relprune.model.layers.BatchNorm2d;
import org.relprune.model.layers.Conv2d;
import org.relprune.model.layers.Layer;
import org.relprune.model.layers.Linear;

/**
 * A physically pruned model: {@code {"family": "relprune.Pruned", "base": <config>, "widths":
 * {"<conv or linear>": output width, "<attention core>": heads, ...}}}. The base architecture is
 * built, then every convolution or linear layer listed gets its new output width (an attention
 * core its head count, the head size kept) and every later layer takes its input width from what it reads
 * (BatchNorm channels, the next convolution's and the classifier's inputs, through Flatten),
 * so coupled channels (residual adds) must be given equal widths or the add says which shapes
 * differ. Node and parameter names, roles and blocks stay those of the base.
 */
final class PrunedBuilder {
    static final String FAMILY = "relprune.Pruned";

    private PrunedBuilder() {
    }

    static Graph build(String name, JsonObject json) {
        if (!json.has("base") || !json.get("base").isJsonObject()) {
            throw new ArchitectureException(FAMILY + ": field 'base' (the unpruned architecture config) must be a JSON object");
        }
        if (!json.has("widths") || !json.get("widths").isJsonObject()) {
            throw new ArchitectureException(FAMILY + ": field 'widths' ({\"conv name\": channels}) must be a JSON object");
        }
        for (String k : json.keySet()) {
            if (!k.equals("family") && !k.equals("base") && !k.equals("widths")) {
                throw new ArchitectureException(FAMILY + ": unknown field '" + k + "' (expected family, base, widths)");
            }
        }
        Graph base = ModelZoo.build(json.getAsJsonObject("base"), name);
        Map<String, Integer> widths = new HashMap<>();
        for (Map.Entry<String, JsonElement> e : json.getAsJsonObject("widths").entrySet()) {
            int w;
            try {
                w = e.getValue().getAsInt();
            } catch (RuntimeException ex) {
                throw new ArchitectureException(FAMILY + ": width of '" + e.getKey() + "' must be an integer, got " + e.getValue());
            }
            Node n;
            try {
                n = base.node(e.getKey());
            } catch (IllegalArgumentException ex) {
                throw new ArchitectureException(FAMILY + ": width given for '" + e.getKey() + "', which is no node of the base " + base.name());
            }
            int max = n.layer() instanceof Conv2d c ? c.out() : n.layer() instanceof Linear l ? l.out()
                    : n.layer() instanceof AttentionCore a ? a.heads() : 0;
            if (max == 0 || w < 1 || w > max) {
                throw new ArchitectureException(FAMILY + ": '" + e.getKey() + "' must be a convolution or linear layer (width) or an attention "
                        + "core (head count), with a value in [1, " + max + "], got " + w);
            }
            widths.put(e.getKey(), w);
        }
        GraphBuilder g = new GraphBuilder(name, base.inputShape());
        for (Node n : base.nodes()) {
            if (n.index() == 0) {
                continue;
            }
            int[] in = n.inputs().stream().mapToInt(Integer::intValue).toArray();
            Layer l = n.layer();
            long inWidth = g.shape(in[0]).dim(l instanceof Linear ? -1 : 0);
            if (l instanceof Conv2d c) {
                if (c.spec().groups() != 1) {
                    throw new ArchitectureException(FAMILY + ": grouped convolution " + n.name() + " cannot be narrowed");
                }
                l = new Conv2d((int) inWidth, widths.getOrDefault(n.name(), c.out()), c.kernelH(), c.kernelW(), c.spec(), c.weight(), c.bias());
            } else if (l instanceof BatchNorm2d b) {
                l = new BatchNorm2d((int) inWidth, b.eps(), b.prefix());
            } else if (l instanceof Linear lin) {
                l = new Linear((int) inWidth, widths.getOrDefault(n.name(), lin.out()), lin.weight(), lin.bias());
            } else if (l instanceof AttentionCore a && widths.containsKey(n.name())) {
                int heads = widths.get(n.name());
                l = new AttentionCore(a.dim() / a.heads() * heads, heads);
            }
            g.add(n.name(), n.role(), n.block(), l, in);
        }
        return g.build();
    }
}
