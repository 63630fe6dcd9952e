package org.relprune.prune;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.relprune.model.ForwardPass;
import org.relprune.model.Graph;
import org.relprune.model.Model;
import org.relprune.model.Node;
import org.relprune.model.layers.ReLU;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.TensorScope;

/**
 * Mean activation: each component's output averaged over the reference images and positions
 * (and tokens, and a head's channels), after the layer's ReLU or GELU when one reads the masked
 * node (else at the masked node itself).
 */
public record ActivationCriterion(int batch) implements Criterion {
    @Override
    public String name() {
        return "activation";
    }

    @Override
    public List<double[]> score(Model model, List<PrunableLayer> layers, ReferenceSet reference) {
        Graph g = model.graph();
        Map<String, Integer> at = new HashMap<>();
        for (int l = 0; l < layers.size(); l++) {
            at.put(observed(g, g.node(layers.get(l).maskNode())).name(), l);
        }
        List<double[]> sums = new ArrayList<>();
        for (PrunableLayer l : layers) {
            sums.add(new double[l.count()]);
        }
        long[] positions = new long[layers.size()];
        for (int from = 0; from < reference.size(); from += batch) {
            int to = Math.min(reference.size(), from + batch);
            try (TensorScope scope = TensorScope.open()) {
                ForwardPass.run(g, model, model.backend(), model.backend().upload(reference.slice(from, to)), (node, out) -> {
                    Integer l = at.get(node.name());
                    if (l != null) {
                        PrunableLayer layer = layers.get(l);
                        HostTensor h = model.backend().download(out);
                        double[] s = sums.get(l);
                        int f = layer.features();
                        if (layer.featureAxis() == 1) {
                            // [n, features, positions...]
                            int n = (int) h.shape().dim(0);
                            int inner = h.data().length / (n * f);
                            for (int i = 0; i < n; i++) {
                                for (int ch = 0; ch < f; ch++) {
                                    int base = (i * f + ch) * inner;
                                    for (int e = 0; e < inner; e++) {
                                        s[ch / layer.span()] += h.data()[base + e];
                                    }
                                }
                            }
                            positions[l] += (long) n * inner * layer.span();
                        } else {
                            // [..., features]: every leading index (sample, token) is a position
                            int rows = h.data().length / f;
                            for (int row = 0; row < rows; row++) {
                                for (int ch = 0; ch < f; ch++) {
                                    s[ch / layer.span()] += h.data()[row * f + ch];
                                }
                            }
                            positions[l] += (long) rows * layer.span();
                        }
                    }
                    return out;
                });
            }
        }
        for (int l = 0; l < layers.size(); l++) {
            for (int c = 0; c < sums.get(l).length; c++) {
                sums.get(l)[c] /= positions[l];
            }
        }
        return sums;
    }

    /** The ReLU or GELU that is the sole reader of the masked node, or the node itself. */
    private static Node observed(Graph g, Node mask) {
        Node r = g.soleReader(mask);
        return r != null && (r.layer() instanceof ReLU || r.layer() instanceof org.relprune.model.layers.GELU) ? r : mask;
    }

    @Override
    public JsonObject settings() {
        return new JsonObject();
    }
}
