package org.relprune.prune;

import com.google.gson.JsonObject;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.relprune.model.Graph;
import org.relprune.model.Node;
import org.relprune.model.layers.BatchNorm2d;
import org.relprune.model.layers.Conv2d;
import org.relprune.model.layers.Linear;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Shape;

/**
 * Physically removes the channels a coupled plan prunes at one rate: each convolution keeps the
 * filters of its kept output channels and the input slices of its input's kept channels,
 * BatchNorms keep their kept entries, and a linear layer after Flatten keeps the feature blocks
 * of the kept channels. The result loads as the {@code relprune.Pruned} architecture.
 */
public final class Compaction {
    /** The smaller model: its weights and the architecture config the zoo loads back. */
    public record Result(Map<String, HostTensor> weights, JsonObject architecture, Map<String, Integer> widths) {
    }

    private Compaction() {
    }

    /**
     * @param plan a coupled plan ({@link PruningPlan#coupled}); rate {@code k} is compacted
     * @param base the unpruned architecture config (written into the result's config)
     */
    public static Result compact(Graph g, JsonObject base, Map<String, HostTensor> weights, PruningPlan plan, int k) {
        if (!plan.layers().isEmpty() && plan.layers().get(0).kind() != ComponentKind.CHANNELS) {
            return compactComponents(g, base, weights, plan, k);
        }
        ChannelSpaces spaces = ChannelSpaces.of(g);
        // kept channel indices per space; spaces without an entry keep everything
        Map<Integer, int[]> kept = new HashMap<>();
        for (int l = 0; l < plan.layers().size(); l++) {
            PrunableLayer layer = plan.layers().get(l);
            int space = spaces.spaceOf(g.node(layer.layer()).index());
            int[] keep = indicesOf(plan.mask(k, l));
            int[] before = kept.put(space, keep);
            if (before != null && !java.util.Arrays.equals(before, keep)) {
                throw new IllegalArgumentException("the plan is not coupled: " + layer.layer() + " keeps other channels than a layer it is tied to "
                        + "(compaction needs a run with --grouping coupled)");
            }
            if (keep.length == 0) {
                throw new IllegalArgumentException("rate " + plan.rates().values().get(k).toPlainString() + " removes every channel of "
                        + layer.layer() + ": the network would be cut; choose a lower rate");
            }
        }
        Map<String, HostTensor> out = new LinkedHashMap<>(weights);
        Map<String, Integer> widths = new LinkedHashMap<>();
        for (Node n : g.nodes()) {
            if (n.layer() instanceof Conv2d c) {
                int[] rows = kept.get(spaces.spaceOf(n.index()));
                int[] cols = kept.get(spaces.spaceOf(n.inputs().get(0)));
                out.put(c.weight(), select(weights.get(c.weight()), rows, cols, 1));
                if (c.bias() != null) {
                    out.put(c.bias(), select(weights.get(c.bias()), rows, null, 1));
                }
                widths.put(n.name(), rows == null ? c.out() : rows.length);
            } else if (n.layer() instanceof BatchNorm2d b) {
                int[] keep = kept.get(spaces.spaceOf(n.index()));
                for (String p : new String[] {".weight", ".bias", ".running_mean", ".running_var"}) {
                    out.put(b.prefix() + p, select(weights.get(b.prefix() + p), keep, null, 1));
                }
            } else if (n.layer() instanceof Linear lin) {
                int input = n.inputs().get(0);
                int source = spaces.flattenSource(input);
                int[] cols;
                int block = 1;
                if (source >= 0) {
                    int[] keep = kept.get(spaces.spaceOf(source));
                    long channels = g.nodes().get(source).shape().dim(0);
                    block = (int) (lin.in() / channels); // features per flattened channel (its positions)
                    cols = keep;
                } else {
                    cols = kept.get(spaces.spaceOf(input));
                }
                out.put(lin.weight(), select(weights.get(lin.weight()), null, cols, block));
            }
        }
        return result(base, out, widths);
    }

    private static Result result(JsonObject base, Map<String, HostTensor> out, Map<String, Integer> widths) {
        JsonObject arch = new JsonObject();
        arch.addProperty("family", "relprune.Pruned");
        arch.add("base", base);
        JsonObject w = new JsonObject();
        widths.forEach(w::addProperty);
        arch.add("widths", w);
        return new Result(out, arch, widths);
    }

    /**
     * ViT components and hidden linear neurons: pruned neurons leave their layer (rows) and the
     * next linear layer after the activation (columns);
     * pruned heads leave the in-projection (their q, k, v rows) and the out-projection (their
     * channels' columns), and the attention core keeps fewer heads of the same size.
     */
    private static Result compactComponents(Graph g, JsonObject base, Map<String, HostTensor> weights, PruningPlan plan, int k) {
        // each step selects from what earlier steps left (a layer can lose rows as a pruned layer and columns as the next)
        Map<String, HostTensor> out = new LinkedHashMap<>(weights);
        Map<String, Integer> widths = new LinkedHashMap<>();
        for (int l = 0; l < plan.layers().size(); l++) {
            PrunableLayer layer = plan.layers().get(l);
            int[] keep = indicesOf(plan.mask(k, l));
            if (keep.length == 0) {
                throw new IllegalArgumentException("rate " + plan.rates().values().get(k).toPlainString() + " removes every component of "
                        + layer.layer() + ": the network would be cut; choose a lower rate");
            }
            Node n = g.node(layer.layer());
            if (layer.kind() == ComponentKind.NEURONS || layer.kind() == ComponentKind.LINEAR) {
                Linear fc1 = (Linear) n.layer();
                Node next = reader(g, reader(g, n)); // fc1 -> activation (GELU, ReLU) -> fc2
                if (!(next.layer() instanceof Linear fc2)) {
                    throw new IllegalArgumentException(layer.layer() + ": expected an activation then a linear layer after it");
                }
                out.put(fc1.weight(), select(out.get(fc1.weight()), keep, null, 1));
                if (fc1.bias() != null) {
                    out.put(fc1.bias(), select(out.get(fc1.bias()), keep, null, 1));
                }
                out.put(fc2.weight(), select(out.get(fc2.weight()), null, keep, 1));
                widths.put(n.name(), keep.length);
            } else if (layer.kind() == ComponentKind.HEADS) {
                Node inProjNode = g.nodes().get(n.inputs().get(0));
                Linear inProj = (Linear) inProjNode.layer();
                Node outProjNode = reader(g, n);
                if (!(outProjNode.layer() instanceof Linear outProj)) {
                    throw new IllegalArgumentException(layer.layer() + ": expected the out-projection after the attention core");
                }
                int rows = inProj.out();
                int[] keptRows = java.util.Arrays.stream(keep).flatMap(h -> java.util.Arrays.stream(layer.weightRows(h, rows))).sorted().toArray();
                int[] keptChannels = java.util.Arrays.stream(keep)
                        .flatMap(h -> java.util.stream.IntStream.range(h * layer.span(), (h + 1) * layer.span())).toArray();
                out.put(inProj.weight(), select(out.get(inProj.weight()), keptRows, null, 1));
                out.put(inProj.bias(), select(out.get(inProj.bias()), keptRows, null, 1));
                out.put(outProj.weight(), select(out.get(outProj.weight()), null, keptChannels, 1));
                widths.put(inProjNode.name(), keptRows.length);
                widths.put(n.name(), keep.length);
            } else {
                throw new IllegalArgumentException("compaction of " + layer.kind().option() + " components is not built");
            }
        }
        return result(base, out, widths);
    }

    /** The sole reader of a node (compaction follows a chain; a fork cannot be narrowed). */
    private static Node reader(Graph g, Node n) {
        Node r = g.soleReader(n);
        if (r == null) {
            throw new IllegalArgumentException(n.name() + " has no single reader: cannot compact through it");
        }
        return r;
    }

    private static int[] indicesOf(float[] mask) {
        return java.util.stream.IntStream.range(0, mask.length).filter(i -> mask[i] != 0).toArray();
    }

    /**
     * t [rows, cols, rest...] (or [rows]) restricted to the given rows and column blocks (each
     * kept column c brings columns c*block .. c*block + block - 1); null keeps all.
     */
    static HostTensor select(HostTensor t, int[] rows, int[] cols, int block) {
        long[] dims = t.shape().dims();
        int r = (int) dims[0];
        int c = dims.length > 1 ? (int) dims[1] : 1;
        int rest = 1;
        for (int i = 2; i < dims.length; i++) {
            rest *= (int) dims[i];
        }
        int[] rr = rows != null ? rows : java.util.stream.IntStream.range(0, r).toArray();
        int[] cc;
        if (cols == null) {
            cc = java.util.stream.IntStream.range(0, c).toArray();
        } else {
            cc = new int[cols.length * block];
            for (int i = 0; i < cols.length; i++) {
                for (int j = 0; j < block; j++) {
                    cc[i * block + j] = cols[i] * block + j;
                }
            }
        }
        float[] v = new float[rr.length * cc.length * rest];
        int at = 0;
        for (int i : rr) {
            for (int j : cc) {
                System.arraycopy(t.data(), (i * c + j) * rest, v, at, rest);
                at += rest;
            }
        }
        dims[0] = rr.length;
        if (dims.length > 1) {
            dims[1] = cc.length;
        }
        return new HostTensor(Shape.of(dims), v);
    }
}
