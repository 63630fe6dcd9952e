package org.relprune.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.relprune.backend.cpu.CpuBackend;
import org.relprune.io.data.ImageDataset;
import org.relprune.model.ForwardPass;
import org.relprune.model.Graph;
import org.relprune.model.Model;
import org.relprune.model.RandomWeights;
import org.relprune.model.zoo.ModelZoo;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Shape;
import org.relprune.tensor.TensorScope;

/**
 * The batched curve evaluation (rates x images in one pass, structured masks) against the
 * plain way: per rate, a copy of the weights with the pruned filters and biases set to zero,
 * evaluated image by image with an ordinary forward pass.
 */
class CurveEvaluatorTest {
    private static CpuBackend backend;

    @BeforeAll
    static void open() {
        backend = new CpuBackend();
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    private static ImageDataset data(Shape sample, int n, int classes, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] px = new float[(int) (n * sample.numel())];
        for (int i = 0; i < px.length; i++) {
            px[i] = (float) rng.nextDouble(-1, 1);
        }
        int[] labels = new int[n];
        List<String> names = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            names.add(Integer.toString(c));
        }
        for (int i = 0; i < n; i++) {
            labels[i] = rng.nextInt(classes);
        }
        return ImageDataset.of(px, labels, sample, names, "random test images", true);
    }

    /** Accuracy per rate with pruned conv filters zeroed in the weights (LeNet-5 has no BatchNorm). */
    private static double[] zeroedWeightsAccuracy(Graph g, Map<String, HostTensor> weights, PruningPlan plan, ImageDataset d, int[] classes) {
        double[] acc = new double[plan.rates().size()];
        for (int k = 0; k < acc.length; k++) {
            Map<String, HostTensor> w = new LinkedHashMap<>(weights);
            for (int l = 0; l < plan.layers().size(); l++) {
                PrunableLayer layer = plan.layers().get(l);
                float[] mask = plan.mask(k, l);
                float[] wt = weights.get(layer.weight()).data().clone();
                String biasName = layer.layer() + ".bias";
                float[] b = weights.get(biasName).data().clone();
                int per = wt.length / layer.count();
                for (int c = 0; c < layer.count(); c++) {
                    if (mask[c] == 0) {
                        java.util.Arrays.fill(wt, c * per, (c + 1) * per, 0f);
                        b[c] = 0f;
                    }
                }
                w.put(layer.weight(), new HostTensor(weights.get(layer.weight()).shape(), wt));
                w.put(biasName, new HostTensor(weights.get(biasName).shape(), b));
            }
            int correct = 0;
            try (Model m = Model.load(g, w, backend)) {
                for (int i = 0; i < d.size(); i++) {
                    try (TensorScope s = TensorScope.open()) {
                        float[] logits = backend.download(ForwardPass.run(g, m, backend, backend.upload(d.batch(new int[] {i})))).data();
                        if (CurveEvaluator.argmax(logits, 0, logits.length, classes) == d.label(i)) {
                            correct++;
                        }
                    }
                }
            }
            acc[k] = correct / (double) d.size();
        }
        return acc;
    }

    @Test
    void batchedMaskedPassesEqualZeroedWeightsRateByRate() {
        Graph g = ModelZoo.resolve("lenet5");
        Map<String, HostTensor> w = RandomWeights.generate(g, 8);
        ImageDataset d = data(g.inputShape(), 37, 10, 4);
        List<PrunableLayer> layers = Components.of(g, ComponentKind.CHANNELS);
        assertEquals(List.of("conv1", "conv2"), layers.stream().map(PrunableLayer::layer).toList());
        PruningPlan plan = PruningPlan.build(layers, new RandomCriterion(2).score(null, layers, null), Rates.parse("0,0.25,0.5,0.75,0.9"), true, false);
        int[] restricted = {1, 4, 7};
        try (Model m = Model.load(g, w, backend)) {
            // chunks of 3 images x 5 rates: several passes, the last one partial
            double[] batched = CurveEvaluator.accuracy(m, plan, d, null, 15, null);
            assertArrayEquals(zeroedWeightsAccuracy(g, w, plan, d, null), batched, 0, "accuracy per rate");
            double[] subset = CurveEvaluator.accuracy(m, plan, d, restricted, 1000, null);
            assertArrayEquals(zeroedWeightsAccuracy(g, w, plan, d, restricted), subset, 0, "restricted task");
            assertNotEquals(batched[0], subset[0], "the restriction changes the task");
        }
    }

    private static final String VIT = "{\"family\": \"torchvision.VisionTransformer\", \"image_size\": 16, \"patch_size\": 4, "
            + "\"num_layers\": 2, \"num_heads\": 2, \"hidden_dim\": 16, \"mlp_dim\": 32, \"num_classes\": 10}";

    /**
     * ViT neurons (masked at mlp.0's output) and heads (masked on their channels of the attention
     * output) against zeroed weights: a neuron's mlp.0 row and bias (GELU(0) = 0), a head's value
     * rows of the in-projection (its output A V is then 0).
     */
    @Test
    void vitNeuronAndHeadMasksEqualZeroedWeights() {
        Graph g = ModelZoo.resolve(VIT);
        Map<String, HostTensor> w = RandomWeights.generate(g, 8);
        ImageDataset d = data(g.inputShape(), 23, 10, 14);
        for (ComponentKind kind : new ComponentKind[] {ComponentKind.NEURONS, ComponentKind.HEADS}) {
            List<PrunableLayer> layers = Components.of(g, kind);
            assertEquals(2, layers.size(), kind + ": one per encoder layer");
            PruningPlan plan = PruningPlan.build(layers, new RandomCriterion(3).score(null, layers, null), Rates.parse("0,0.25,0.5,0.75"), true, false);
            double[] want = new double[4];
            for (int k = 0; k < 4; k++) {
                Map<String, HostTensor> zeroed = new LinkedHashMap<>(w);
                for (int l = 0; l < layers.size(); l++) {
                    PrunableLayer layer = layers.get(l);
                    String bias = kind == ComponentKind.NEURONS ? layer.layer() + ".bias" : layer.weight().replace("in_proj_weight", "in_proj_bias");
                    float[] wt = zeroed.get(layer.weight()).data().clone();
                    float[] b = zeroed.get(bias).data().clone();
                    int rows = (int) zeroed.get(layer.weight()).shape().dim(0);
                    int rowLength = wt.length / rows;
                    float[] mask = plan.mask(k, l);
                    for (int c = 0; c < layer.count(); c++) {
                        if (mask[c] == 0) {
                            int[] r = layer.weightRows(c, rows);
                            // heads: only the value rows (the last third); neurons: the neuron's row
                            for (int j = kind == ComponentKind.HEADS ? 2 * r.length / 3 : 0; j < r.length; j++) {
                                java.util.Arrays.fill(wt, r[j] * rowLength, (r[j] + 1) * rowLength, 0f);
                                b[r[j]] = 0f;
                            }
                        }
                    }
                    zeroed.put(layer.weight(), new HostTensor(w.get(layer.weight()).shape(), wt));
                    zeroed.put(bias, new HostTensor(w.get(bias).shape(), b));
                }
                int correct = 0;
                try (Model m = Model.load(g, zeroed, backend); TensorScope s = TensorScope.open()) {
                    int[] all = new int[d.size()];
                    for (int i = 0; i < all.length; i++) {
                        all[i] = i;
                    }
                    float[] logits = backend.download(ForwardPass.run(g, m, backend, backend.upload(d.batch(all)))).data();
                    for (int i = 0; i < d.size(); i++) {
                        if (CurveEvaluator.argmax(logits, i * 10, 10, null) == d.label(i)) {
                            correct++;
                        }
                    }
                }
                want[k] = correct / (double) d.size();
            }
            try (Model m = Model.load(g, w, backend)) {
                assertArrayEquals(want, CurveEvaluator.accuracy(m, plan, d, null, 20, null), 0, kind + ": accuracy per rate");
                // every criterion gives one score per component
                ReferenceSet ref = new ReferenceSet(d.batch(new int[] {0, 1, 2, 3}), java.util.Arrays.copyOf(d.labels(), 4));
                for (Criterion c : List.of(new WeightNormCriterion(1), new ActivationCriterion(2), new TaylorCriterion(2),
                        new LrpCriterion(org.relprune.lrp.composite.Composites.named("cp_epsilon"), false, false, org.relprune.lrp.Attributor.Start.LOGIT, 2))) {
                    List<double[]> sc = c.score(m, layers, ref);
                    for (int l = 0; l < layers.size(); l++) {
                        assertEquals(layers.get(l).count(), sc.get(l).length, c.name() + " on " + kind);
                        for (double v : sc.get(l)) {
                            assertTrue(Double.isFinite(v), c.name() + " on " + kind + " gives finite scores");
                        }
                    }
                }
            }
        }
        // l1 of a head: its q, k and v rows of the in-projection
        List<PrunableLayer> heads = Components.of(g, ComponentKind.HEADS);
        try (Model m = Model.load(g, w, backend)) {
            double[] l1 = new WeightNormCriterion(1).score(m, heads, null).get(0);
            float[] inProj = w.get(heads.get(0).weight()).data();
            double want = 0;
            for (int part = 0; part < 3; part++) {
                for (int row = part * 16 + 8; row < part * 16 + 16; row++) { // head 1 of 2, dh = 8, d = 16
                    for (int i = 0; i < 16; i++) {
                        want += Math.abs(inProj[row * 16 + i]);
                    }
                }
            }
            assertEquals(want, l1[1], 1e-9 * want);
        }
    }

    @Test
    void weightNormAndRandomCriteria() {
        Graph g = ModelZoo.resolve("lenet5");
        Map<String, HostTensor> w = RandomWeights.generate(g, 8);
        List<PrunableLayer> layers = Components.of(g, ComponentKind.CHANNELS);
        try (Model m = Model.load(g, w, backend)) {
            List<double[]> l1 = new WeightNormCriterion(1).score(m, layers, null);
            List<double[]> l2 = new WeightNormCriterion(2).score(m, layers, null);
            float[] conv2 = w.get("conv2.weight").data();
            int per = 6 * 5 * 5;
            for (int c = 0; c < 16; c++) {
                double a = 0;
                double q = 0;
                for (int i = 0; i < per; i++) {
                    a += Math.abs(conv2[c * per + i]);
                    q += (double) conv2[c * per + i] * conv2[c * per + i];
                }
                assertEquals(a, l1.get(1)[c], 1e-9 * a);
                assertEquals(Math.sqrt(q), l2.get(1)[c], 1e-9 * a);
            }
        }
        assertArrayEquals(new RandomCriterion(5).score(null, layers, null).get(1), new RandomCriterion(5).score(null, layers, null).get(1));
        assertTrue(new RandomCriterion(5).score(null, layers, null).get(1)[0] != new RandomCriterion(6).score(null, layers, null).get(1)[0]);
    }

    /** Mean ReLU(conv1(x)) per channel, with the convolution written out in float64 (5x5, padding 2). */
    @Test
    void activationCriterionMatchesADirectConvolution() {
        Graph g = ModelZoo.resolve("lenet5");
        Map<String, HostTensor> w = RandomWeights.generate(g, 8);
        ImageDataset d = data(g.inputShape(), 5, 10, 9);
        ReferenceSet ref = new ReferenceSet(d.batch(new int[] {0, 1, 2, 3, 4}), d.labels());
        List<PrunableLayer> layers = Components.of(g, ComponentKind.CHANNELS);
        float[] k = w.get("conv1.weight").data();
        float[] b = w.get("conv1.bias").data();
        float[] x = ref.images().data();
        double[] want = new double[6];
        for (int n = 0; n < 5; n++) {
            for (int c = 0; c < 6; c++) {
                for (int i = 0; i < 28; i++) {
                    for (int j = 0; j < 28; j++) {
                        double z = b[c];
                        for (int u = 0; u < 5; u++) {
                            for (int v = 0; v < 5; v++) {
                                int yi = i + u - 2;
                                int xj = j + v - 2;
                                if (yi >= 0 && yi < 28 && xj >= 0 && xj < 28) {
                                    z += (double) k[c * 25 + u * 5 + v] * x[n * 784 + yi * 28 + xj];
                                }
                            }
                        }
                        want[c] += Math.max(0, z) / (5 * 784);
                    }
                }
            }
        }
        try (Model m = Model.load(g, w, backend)) {
            double[] got = new ActivationCriterion(2).score(m, layers, ref).get(0);
            for (int c = 0; c < 6; c++) {
                assertEquals(want[c], got[c], 1e-5 * Math.abs(want[c]) + 1e-7, "channel " + c);
            }
        }
    }

    /**
     * Taylor's sum over positions of activation x gradient is the derivative of the target logit
     * when the whole channel is scaled: checked by central differences of masked forward passes
     * (step 1e-3; float32 logits and ReLU kinks inside the step allow about 1% error).
     */
    @Test
    void taylorScoresAreDerivativesOfTheLogitUnderChannelScaling() {
        Graph g = ModelZoo.resolve("lenet5");
        Map<String, HostTensor> w = RandomWeights.generate(g, 8);
        ImageDataset d = data(g.inputShape(), 4, 10, 12);
        ReferenceSet ref = new ReferenceSet(d.batch(new int[] {0, 1, 2, 3}), d.labels());
        double h = 1e-3;
        for (ComponentKind kind : new ComponentKind[] {ComponentKind.CHANNELS, ComponentKind.LINEAR}) {
            List<PrunableLayer> layers = Components.of(g, kind);
            try (Model m = Model.load(g, w, backend)) {
                List<double[]> taylor = new TaylorCriterion(2).score(m, layers, ref);
                for (int l = 0; l < layers.size(); l++) {
                    PrunableLayer layer = layers.get(l);
                    for (int c = 0; c < layer.count(); c += layer.count() > 30 ? 17 : 3) {
                        double want = 0;
                        float[][] logits = new float[2][];
                        for (int side = 0; side < 2; side++) {
                            float[] mask = new float[layer.count()];
                            java.util.Arrays.fill(mask, 1f);
                            mask[c] = (float) (side == 0 ? 1 + h : 1 - h);
                            try (TensorScope s = TensorScope.open()) {
                                var mt = backend.upload(HostTensor.of(mask, 1, layer.count()));
                                logits[side] = backend.download(ForwardPass.run(g, m, backend, backend.upload(ref.images()),
                                        (node, out) -> node.name().equals(layer.maskNode()) ? backend.channelMask(out, mt) : out)).data();
                            }
                        }
                        for (int i = 0; i < 4; i++) {
                            int at = i * 10 + ref.labels()[i];
                            want += Math.abs((logits[0][at] - logits[1][at]) / (2 * h));
                        }
                        assertEquals(want, taylor.get(l)[c], 2e-2 * want + 1e-4, layer.layer() + " channel " + c);
                    }
                }
            }
        }
    }

    /** Integrated gradients along a layer's activations against central differences at each path point. */
    @Test
    void integratedGradientsMatchCentralDifferencesAlongThePath() {
        Graph g = ModelZoo.resolve("lenet5");
        Map<String, HostTensor> w = RandomWeights.generate(g, 8);
        ImageDataset d = data(g.inputShape(), 3, 10, 15);
        ReferenceSet ref = new ReferenceSet(d.batch(new int[] {0, 1, 2}), d.labels());
        List<PrunableLayer> layers = Components.of(g, ComponentKind.CHANNELS);
        int steps = 4;
        double h = 1e-3;
        try (Model m = Model.load(g, w, backend)) {
            List<double[]> ig = new IntegratedGradientsCriterion(steps, 2).score(m, layers, ref);
            for (int l = 0; l < layers.size(); l++) {
                PrunableLayer layer = layers.get(l);
                for (int c = 0; c < layer.count(); c += 5) {
                    double[] perSample = new double[3];
                    for (int step = 0; step < steps; step++) {
                        double alpha = (step + 0.5) / steps;
                        float[][] logits = new float[2][];
                        for (int side = 0; side < 2; side++) {
                            float[] mask = new float[layer.count()];
                            java.util.Arrays.fill(mask, (float) alpha);
                            mask[c] = (float) (alpha * (side == 0 ? 1 + h : 1 - h));
                            try (TensorScope s = TensorScope.open()) {
                                var mt = backend.upload(HostTensor.of(mask, 1, layer.count()));
                                logits[side] = backend.download(ForwardPass.run(g, m, backend, backend.upload(ref.images()),
                                        (node, out) -> node.name().equals(layer.layer()) ? backend.channelMask(out, mt) : out)).data();
                            }
                        }
                        for (int i = 0; i < 3; i++) {
                            int at = i * 10 + ref.labels()[i];
                            perSample[i] += (logits[0][at] - logits[1][at]) / (2 * h) / alpha / steps;
                        }
                    }
                    double want = Math.abs(perSample[0]) + Math.abs(perSample[1]) + Math.abs(perSample[2]);
                    assertEquals(want, ig.get(l)[c], 2e-2 * want + 1e-3, layer.layer() + " channel " + c);
                }
            }
        }
    }

    @Test
    void lrpScoresDoNotDependOnTheChunking() {
        Graph g = ModelZoo.resolve("lenet5");
        Map<String, HostTensor> w = RandomWeights.generate(g, 8);
        ImageDataset d = data(g.inputShape(), 7, 10, 6);
        int[] idx = {0, 1, 2, 3, 4, 5, 6};
        ReferenceSet ref = new ReferenceSet(d.batch(idx), d.labels());
        List<PrunableLayer> layers = Components.of(g, ComponentKind.CHANNELS);
        try (Model m = Model.load(g, w, backend)) {
            var composite = org.relprune.lrp.composite.Composites.named("epsilon_plus");
            List<double[]> whole = new LrpCriterion(composite, false, false, org.relprune.lrp.Attributor.Start.ONE_HOT, 100).score(m, layers, ref);
            List<double[]> chunked = new LrpCriterion(composite, false, false, org.relprune.lrp.Attributor.Start.ONE_HOT, 3).score(m, layers, ref);
            for (int l = 0; l < layers.size(); l++) {
                for (int c = 0; c < layers.get(l).count(); c++) {
                    assertEquals(whole.get(l)[c], chunked.get(l)[c], 1e-5 * Math.abs(whole.get(l)[c]) + 1e-9);
                    assertTrue(whole.get(l)[c] >= 0, "|R| scores are non-negative");
                }
            }
        }
    }
}
