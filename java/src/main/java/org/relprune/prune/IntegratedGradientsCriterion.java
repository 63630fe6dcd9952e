package org.relprune.prune;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.relprune.lrp.Attribution;
import org.relprune.lrp.Attributor;
import org.relprune.lrp.composite.Composite;
import org.relprune.lrp.composite.Composites;
import org.relprune.model.Model;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Tensor;
import org.relprune.tensor.TensorScope;

/**
 * Integrated gradients of the true label's logit along each layer's own activations, from zero
 * to their value (the rest of the network as it is): channel c of layer l scores the sum over
 * reference samples of |sum over H, W of a_c x mean over alpha of dF/da_c (alpha a)|, alpha at
 * the midpoints of {@code steps} equal intervals. Each alpha is one forward pass with the layer
 * scaled and an LRP-0 pass from the logit, whose read-out there is alpha a x gradient.
 */
public record IntegratedGradientsCriterion(int steps, int batch) implements Criterion {
    public IntegratedGradientsCriterion {
        if (steps < 1) {
            throw new IllegalArgumentException("integrated gradients need at least one step, got " + steps);
        }
    }

    @Override
    public String name() {
        return "ig";
    }

    @Override
    public List<double[]> score(Model model, List<PrunableLayer> layers, ReferenceSet reference) {
        Composite lrp0 = Composites.named(TaylorCriterion.GRADIENT_TIMES_ACTIVATION);
        List<double[]> scores = new ArrayList<>();
        for (PrunableLayer l : layers) {
            if (l.kind() != ComponentKind.CHANNELS && l.kind() != ComponentKind.LINEAR) {
                throw new IllegalArgumentException("the ig criterion scores conv channels and hidden linear neurons, not " + l.kind().option());
            }
            scores.add(new double[l.count()]);
        }
        for (int from = 0; from < reference.size(); from += batch) {
            int to = Math.min(reference.size(), from + batch);
            int n = to - from;
            int[] targets = Arrays.copyOfRange(reference.labels(), from, to);
            HostTensor images = reference.slice(from, to);
            for (int k = 0; k < layers.size(); k++) {
                PrunableLayer layer = layers.get(k);
                double[] ig = new double[n * layer.count()];
                for (int step = 0; step < steps; step++) {
                    float alpha = (float) ((step + 0.5) / steps);
                    try (TensorScope scope = TensorScope.open()) {
                        float[] m = new float[layer.count()];
                        Arrays.fill(m, alpha);
                        Tensor mask = model.backend().upload(HostTensor.of(m, 1, layer.count()));
                        try (Attributor a = new Attributor(model, model.backend().upload(images),
                                (node, out) -> node.name().equals(layer.layer()) ? model.backend().channelMask(out, mask) : out)) {
                            Attribution r = a.explain(lrp0, targets, Attributor.Start.LOGIT);
                            float[] ch = (layer.kind() == ComponentKind.CHANNELS ? r.channels() : r.neurons()).get(layer.layer()).data();
                            for (int i = 0; i < ig.length; i++) {
                                ig[i] += ch[i] / alpha / steps; // (alpha a x gradient) / alpha, averaged over the path
                            }
                        }
                    }
                }
                double[] s = scores.get(k);
                for (int i = 0; i < n; i++) {
                    for (int c = 0; c < layer.count(); c++) {
                        s[c] += Math.abs(ig[i * layer.count() + c]);
                    }
                }
            }
        }
        return scores;
    }

    @Override
    public JsonObject settings() {
        JsonObject o = new JsonObject();
        o.addProperty("steps", steps);
        return o;
    }
}
