package org.relprune.prune;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.relprune.backend.BatchSplitter;
import org.relprune.lrp.Attribution;
import org.relprune.lrp.Attributor;
import org.relprune.lrp.composite.Composite;
import org.relprune.model.Model;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.TensorScope;

/**
 * Pruning by explaining (SPEC "Pruning by explaining"): relevance for one-hot(true label) (or
 * the true label's logit times one-hot) with a composite; a conv channel scores the sum over reference samples of |sum over H, W of R| at its
 * output (BatchNorm folded), or the signed sum with {@code signed}; a ViT MLP neuron the sum
 * over samples and tokens of |R| (a head: over samples and queries of |R summed over its
 * channels|, at the attention output under CP-LRP, at the softmax output under AttnLRP);
 * {@code perSampleAbs} takes |.| of each sample's token sum instead. The reference set is
 * explained in chunks of {@code batch} images, halved when the device runs out of memory.
 */
public record LrpCriterion(Composite composite, boolean signed, boolean perSampleAbs, Attributor.Start start, int batch) implements Criterion {
    private static final System.Logger LOG = System.getLogger(LrpCriterion.class.getName());

    @Override
    public String name() {
        return "lrp";
    }

    @Override
    public List<double[]> score(Model model, List<PrunableLayer> layers, ReferenceSet reference) {
        // a chunk the device cannot hold is explained again in halves (scores are sums over samples)
        BatchSplitter splitter = new BatchSplitter("LRP scores of the reference set", batch,
                message -> LOG.log(System.Logger.Level.WARNING, message));
        List<List<double[]>> parts = splitter.map(reference.size(), (from, to) -> {
            int[] targets = java.util.Arrays.copyOfRange(reference.labels(), from, to);
            List<double[]> chunk = empty(layers);
            try (TensorScope scope = TensorScope.open();
                 Attributor a = new Attributor(model, model.backend().upload(reference.slice(from, to)))) {
                add(chunk, layers, a, targets);
            }
            return chunk;
        });
        List<double[]> scores = empty(layers);
        for (List<double[]> chunk : parts) {
            for (int k = 0; k < scores.size(); k++) {
                double[] s = scores.get(k);
                double[] c = chunk.get(k);
                for (int i = 0; i < s.length; i++) {
                    s[i] += c[i];
                }
            }
        }
        return scores;
    }

    /**
     * Scores from forward passes already run: one attributor per reference chunk, with that
     * chunk's targets (what a search reuses across its trials).
     */
    public List<double[]> score(List<PrunableLayer> layers, List<Attributor> chunks, List<int[]> targets) {
        List<double[]> scores = empty(layers);
        for (int i = 0; i < chunks.size(); i++) {
            try (TensorScope scope = TensorScope.open()) {
                add(scores, layers, chunks.get(i), targets.get(i));
            }
        }
        return scores;
    }

    private static List<double[]> empty(List<PrunableLayer> layers) {
        List<double[]> scores = new ArrayList<>();
        for (PrunableLayer l : layers) {
            scores.add(new double[l.count()]);
        }
        return scores;
    }

    private void add(List<double[]> scores, List<PrunableLayer> layers, Attributor a, int[] targets) {
        Attribution r = a.explain(composite, targets, start);
        for (int k = 0; k < layers.size(); k++) {
            PrunableLayer l = layers.get(k);
            HostTensor ch = readout(r, l);
            double[] s = scores.get(k);
            for (int i = 0; i < targets.length; i++) {
                for (int c = 0; c < l.count(); c++) {
                    double v = ch.data()[i * l.count() + c];
                    s[c] += signed ? v : Math.abs(v);
                }
            }
        }
    }

    /**
     * Per sample [n, count]: conv channels summed over space; ViT neurons summed over tokens and
     * heads over queries, of |R| per token (query) unless {@code signed} or {@code perSampleAbs}
     * (then signed sums, whose absolute value per sample is taken).
     */
    private HostTensor readout(Attribution r, PrunableLayer l) {
        boolean tokenAbs = !signed && !perSampleAbs;
        HostTensor t = switch (l.kind()) {
            case CHANNELS -> r.channels().get(l.layer());
            case NEURONS, LINEAR -> (tokenAbs ? r.neuronsAbs() : r.neurons()).get(l.layer());
            case HEADS -> (tokenAbs ? r.headsAbs() : r.heads()).get(l.layer());
        };
        if (t == null) {
            throw new IllegalArgumentException("LRP gives no relevance read-out for " + l.layer() + " (" + l.kind().option()
                    + "): no read-out for this layer");
        }
        return t;
    }

    @Override
    public JsonObject settings() {
        JsonObject o = new JsonObject();
        o.addProperty("composite", composite.spec());
        o.addProperty("signed", signed);
        o.addProperty("start", start == Attributor.Start.LOGIT ? "logit" : "onehot");
        return o;
    }
}
