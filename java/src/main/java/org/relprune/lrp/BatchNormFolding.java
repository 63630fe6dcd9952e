package org.relprune.lrp;

import java.util.HashMap;
import java.util.Map;
import org.relprune.backend.Backend;
import org.relprune.model.Graph;
import org.relprune.model.Model;
import org.relprune.model.Node;
import org.relprune.model.layers.BatchNorm2d;
import org.relprune.model.layers.Conv2d;
import org.relprune.model.layers.Linear;
import org.relprune.tensor.Shape;
import org.relprune.tensor.Tensor;
import org.relprune.tensor.TensorScope;

/**
 * Canonizer: folds every BatchNorm that directly follows a convolution or linear layer (and is
 * that layer's only reader) into it: W' = W * scale, b' = b * scale + shift, per output channel.
 * The model itself is untouched (the folded tensors are new), so the step is reversible by
 * construction; the BatchNorm node then passes values and relevance through unchanged.
 */
public final class BatchNormFolding implements AutoCloseable {
    /** The folded weight and bias (bias may be null when the layer had none and no BatchNorm). */
    public record Folded(Tensor weight, Tensor bias) {
    }

    private final Map<String, Folded> folded = new HashMap<>();
    private final Map<String, String> foldedBatchNorms = new HashMap<>();

    public BatchNormFolding(Model model) {
        try (TensorScope scope = TensorScope.open()) {
            fold(model);
        }
    }

    /** The model's folding, made once and kept with the model (closed when it closes). */
    public static BatchNormFolding of(Model model) {
        return model.derived(BatchNormFolding.class, BatchNormFolding.class, () -> new BatchNormFolding(model));
    }

    private void fold(Model model) {
        Graph g = model.graph();
        Backend b = model.backend();
        int[] readers = g.consumerCounts();
        for (Node n : g.nodes()) {
            if (!(n.layer() instanceof BatchNorm2d bn) || n.inputs().size() != 1) {
                continue;
            }
            Node producer = g.nodes().get(n.inputs().get(0));
            String weight;
            String bias;
            if (producer.layer() instanceof Conv2d c) {
                weight = c.weight();
                bias = c.bias();
            } else if (producer.layer() instanceof Linear l) {
                weight = l.weight();
                bias = l.bias();
            } else {
                continue;
            }
            if (readers[producer.index()] != 1) {
                continue;
            }
            Tensor w = model.get(weight);
            Tensor scale = model.get(bn.scaleName());
            Tensor shift = model.get(bn.shiftName());
            long out = w.shape().dim(0);
            Tensor wv = b.reshape(w, Shape.of(1, out, w.numel() / out));
            Tensor wf = b.channelAffine(wv, scale, null, false);
            Tensor foldedWeight = b.reshape(wf, w.shape());
            wv.close();
            wf.close();
            Tensor foldedBias;
            if (bias != null) {
                Tensor bv = b.reshape(model.get(bias), Shape.of(1, out));
                Tensor bf = b.channelAffine(bv, scale, shift, false);
                foldedBias = b.reshape(bf, Shape.of(out));
                bv.close();
                bf.close();
            } else {
                foldedBias = b.reshape(shift, Shape.of(out));
            }
            folded.put(producer.name(), new Folded(TensorScope.detach(foldedWeight), TensorScope.detach(foldedBias)));
            foldedBatchNorms.put(n.name(), producer.name());
        }
    }

    /** The folded parameters of a conv/linear node, or null if no BatchNorm was folded into it. */
    public Folded of(String node) {
        return folded.get(node);
    }

    /** True if this BatchNorm node was folded into its producer (it is then the identity). */
    public boolean isFolded(String batchNormNode) {
        return foldedBatchNorms.containsKey(batchNormNode);
    }

    @Override
    public void close() {
        for (Folded f : folded.values()) {
            f.weight().close();
            if (f.bias() != null) {
                f.bias().close();
            }
        }
        folded.clear();
    }
}
