package org.relprune.lrp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.relprune.backend.Backend;
import org.relprune.backend.cpu.CpuBackend;
import org.relprune.lrp.composite.Composite;
import org.relprune.lrp.composite.Composites;
import org.relprune.model.Graph;
import org.relprune.model.Model;
import org.relprune.model.RandomWeights;
import org.relprune.model.zoo.ModelZoo;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Shape;
import org.relprune.tensor.Tensor;
import org.relprune.tensor.TensorScope;

/**
 * Properties of whole-network LRP (the {@link Attributor}) on small random networks from the zoo
 * on the CPU backend: conservation, sign of ZPlus relevance, canonization (BatchNorm folding)
 * leaving the function and the model untouched, and reuse of one forward pass for several
 * composites.
 */
class LrpPropertyTest {
    static final String LENET = "{\"family\":\"lenet300_100\",\"num_classes\":10,\"input\":[1,6,5]}";
    static final String RESNET = "{\"preset\":\"resnet18\",\"width\":4,\"num_classes\":5,\"input\":[3,32,32]}";
    static final String BOTTLENECK = "{\"preset\":\"resnet50\",\"width\":4,\"num_classes\":5,\"input\":[3,32,32]}";
    static final String VIT = "{\"family\":\"torchvision.VisionTransformer\",\"image_size\":16,\"patch_size\":4,\"num_layers\":2,"
            + "\"num_heads\":2,\"hidden_dim\":16,\"mlp_dim\":32,\"num_classes\":5}";
    static final String VGG = "{\"family\":\"torchvision.VGG\",\"config\":\"A\",\"batch_norm\":true,\"num_classes\":4,\"width\":8,"
            + "\"classifier_width\":16,\"avgpool\":1,\"input\":[3,32,32]}";

    private static Backend backend;

    @BeforeAll
    static void open() {
        backend = new CpuBackend();
    }

    @AfterAll
    static void close() {
        if (backend != null) {
            backend.close();
        }
    }

    // ---- helpers ---------------------------------------------------------------------------

    /**
     * Random weights; with {@code zeroBias}, every conv/linear bias and every BatchNorm bias and
     * running_mean are 0, so every folded bias (b * scale + beta - mean * scale) is 0 too.
     */
    static Model model(String arch, long seed, boolean zeroBias) {
        Graph g = ModelZoo.resolve(arch);
        Map<String, HostTensor> w = new LinkedHashMap<>(RandomWeights.generate(g, seed));
        if (zeroBias) {
            for (Map.Entry<String, HostTensor> e : w.entrySet()) {
                // the ViT's class token and position embedding are added constants: zero, they take no relevance
                if (e.getKey().endsWith("bias") || e.getKey().endsWith("running_mean") || e.getKey().endsWith("class_token")
                        || e.getKey().endsWith("pos_embedding")) {
                    e.setValue(HostTensor.zeros(e.getValue().shape()));
                }
            }
        }
        return Model.load(g, w, backend);
    }

    /** Input [n, C, H, W]: uniform [0, 1] or standard normal clipped to [-2.5, 2.5] (inside zbox:-3:3). */
    static HostTensor input(Graph g, int n, long seed, boolean nonNegative) {
        long[] dims = new long[g.inputShape().rank() + 1];
        dims[0] = n;
        System.arraycopy(g.inputShape().dims(), 0, dims, 1, g.inputShape().rank());
        Shape s = Shape.of(dims);
        SplittableRandom rng = new SplittableRandom(seed);
        float[] v = new float[s.numelInt()];
        for (int i = 0; i < v.length; i++) {
            if (nonNegative) {
                v[i] = (float) rng.nextDouble();
            } else {
                double u1 = 1.0 - rng.nextDouble();
                double u2 = rng.nextDouble();
                v[i] = (float) Math.max(-2.5, Math.min(2.5, Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2)));
            }
        }
        return new HostTensor(s, v);
    }

    /** Per-sample sum of a [n, ...] tensor, in double. */
    static double[] sumPerSample(HostTensor t) {
        int n = (int) t.shape().dim(0);
        int per = t.data().length / n;
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < per; j++) {
                s[i] += t.data()[i * per + j];
            }
        }
        return s;
    }

    static double maxAbs(float[] v) {
        double m = 0;
        for (float x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }

    static void assertClose(float[] expected, float[] actual, double relative, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        double tol = relative * maxAbs(expected) + 1e-30;
        for (int i = 0; i < expected.length; i++) {
            double e = Math.abs(expected[i] - actual[i]);
            if (!(e <= tol)) {
                fail(what + ": element " + i + " differs: expected " + expected[i] + ", got " + actual[i] + " (|diff| " + e + " > " + tol + ")");
            }
        }
    }

    static int[] targets(int n, int classes, int offset) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = (i + offset) % classes;
        }
        return t;
    }

    // ---- conservation ----------------------------------------------------------------------

    /** Per sample, the largest L1 mass sum |R| of the input relevance and of every conv's channel relevance. */
    static double[] mass(Attribution r) {
        int n = (int) r.input().shape().dim(0);
        double[] m = new double[n];
        List<HostTensor> all = new java.util.ArrayList<>(r.channels().values());
        all.add(r.input());
        for (HostTensor t : all) {
            int per = t.data().length / n;
            for (int i = 0; i < n; i++) {
                double a = 0;
                for (int j = 0; j < per; j++) {
                    a += Math.abs(t.data()[i * per + j]);
                }
                m[i] = Math.max(m[i], a);
            }
        }
        return m;
    }

    /**
     * With every bias 0 and epsilon 1e-9 on every conv/linear layer, no relevance is absorbed by
     * a bias and (up to the 1e-9 stabilizer) none by the epsilon: ReLU and folded BatchNorm pass
     * relevance on, max pooling gives it to the winners, the flatten reshapes it. So the input
     * relevance of each sample sums to its one-hot start, 1.
     *
     * <p>Tolerance 1e-5 + 1e-7 * sum|R|: LRP-0-like rules on random weights produce relevance of
     * both signs that cancels in the sum (VGG seed 11, sample 2: sum|R_in| = 1580 for a sum of 1),
     * and float32 rounding (2^-24 per element and layer) acts on the elements, so the error of the
     * sum scales with the L1 mass, not with the total (that sample ends at 1 + 2.8e-5, with
     * 1 + 8e-6 already at the last conv, whose sum|R| is 296; well-conditioned samples are within
     * 2e-6 of 1). A real leak (a bias term left in, a lost pooling window, a wrong adjoint) is
     * typically orders of magnitude larger.
     *
     * <p>LeNet-300-100 and VGG-11-BN are chains, so the relevance at every conv's output (summed
     * over channels from Attribution.channels) is conserved as well, which localizes a leak.
     * VGG's 1x1 adaptive average pooling on a 1x1 map is x * R / stab(x) = R (1 - 1e-6 / x),
     * negligible. ResNet-18's residual sums and global average pooling use the Norm rule
     * x_i * R / stab(out) with the fixed stabilizer 1e-6 (Rule.DEFAULT_STABILIZER, not the
     * composite's epsilon), so each keeps out / (out + 1e-6) of its relevance: conservation is only
     * up to that (about 3e-6 here, within the tolerance). Within a ResNet only the stem conv1 sees
     * all the relevance (a block's branches split it), so only conv1 is checked per layer; the
     * same holds for the Bottleneck ResNet-50. The ViT (CP-LRP, zero class token and position
     * embedding, which are added constants) conserves its starting relevance, the target logit.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {LENET, VGG, RESNET, BOTTLENECK, VIT})
    void relevanceIsConservedWithoutBiases(String arch) {
        try (Model m = model(arch, 11, true); TensorScope scope = TensorScope.open()) {
            int n = 3;
            Tensor x = backend.upload(input(m.graph(), n, 7, false));
            int classes = (int) m.graph().output().shape().dim(0);
            try (Attributor a = new Attributor(m, x)) {
                for (int offset = 0; offset < 2; offset++) {
                    int[] targets = targets(n, classes, offset);
                    // (the ViT: CP-LRP, LayerNorm with constant std and LRP-0 adds all conserve; AttnLRP's softmax rule does not)
                    Attribution r = a.explain(Composites.named("attention=cp,conv=epsilon:1e-9,linear=epsilon:1e-9"), targets);
                    double[] sums = sumPerSample(r.input());
                    double[] mass = mass(r);
                    HostTensor logits = a.logits();
                    double[] start = new double[n];
                    for (int i = 0; i < n; i++) {
                        double tol = 1e-5 + 1e-7 * mass[i];
                        // CNNs start from one-hot (zennit), transformers from the target logit (LXT)
                        start[i] = arch.equals(VIT) ? logits.data()[i * classes + targets[i]] : 1.0;
                        assertEquals(start[i], sums[i], tol, "input relevance of sample " + i + " (target " + targets[i] + ", sum|R| " + mass[i] + ")");
                    }
                    for (Map.Entry<String, HostTensor> e : r.channels().entrySet()) {
                        if ((arch.equals(RESNET) || arch.equals(BOTTLENECK)) && !e.getKey().equals("conv1")) {
                            continue;
                        }
                        double[] layer = sumPerSample(e.getValue());
                        for (int i = 0; i < n; i++) {
                            assertEquals(start[i], layer[i], 1e-5 + 1e-7 * mass[i], "relevance at the output of " + e.getKey() + ", sample " + i);
                        }
                    }
                }
            }
        }
    }

    // ---- ZPlus non-negativity --------------------------------------------------------------

    /**
     * ZPlus: z' = W+ x+ + b+ + W- x- >= 0, so s = R / stab(z') >= 0 where R >= 0 and both terms
     * x+ W+^T s and x- W-^T s are >= 0. From a one-hot start, through ReLU / max pooling /
     * folded BatchNorm / average pooling of non-negative activations, relevance stays >= 0 down
     * to the input, whatever the biases. (Not tested on ResNets: the residual sum's Norm rule
     * x_i * R / out gives negative relevance to a branch whose value x_i is negative, e.g. the
     * BatchNorm output of the block's last conv, so the sign is lost there by design.)
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {LENET, VGG})
    void zplusRelevanceIsNonNegative(String arch) {
        try (Model m = model(arch, 21, false); TensorScope scope = TensorScope.open()) {
            int n = 3;
            Tensor x = backend.upload(input(m.graph(), n, 9, true));
            int classes = (int) m.graph().output().shape().dim(0);
            try (Attributor a = new Attributor(m, x)) {
                Attribution r = a.explain(Composites.named("conv=zplus,linear=zplus"), targets(n, classes, 1));
                float[] v = r.input().data();
                double total = 0;
                for (int i = 0; i < v.length; i++) {
                    assertTrue(v[i] >= -1e-7, "input relevance " + v[i] + " at " + i + " is negative");
                    total += v[i];
                }
                assertTrue(total > 0, "some relevance must reach the input");
                for (Map.Entry<String, HostTensor> e : r.channels().entrySet()) {
                    for (float c : e.getValue().data()) {
                        assertTrue(c >= -1e-7, "channel relevance " + c + " of " + e.getKey() + " is negative");
                    }
                }
            }
        }
    }

    // ---- canonization ----------------------------------------------------------------------

    /**
     * The attributor's forward pass runs with BatchNorm folded into the conv before it; its
     * logits must equal the model's own (unfolded) forward within 1e-5 of the largest logit, and
     * explaining must change none of the model's tensors (the folded weights are new tensors).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {RESNET, VGG})
    void foldingKeepsTheFunctionAndTheModel(String arch) {
        try (Model m = model(arch, 31, false); TensorScope scope = TensorScope.open()) {
            int n = 2;
            Tensor x = backend.upload(input(m.graph(), n, 10, false));
            float[] logits = backend.download(m.forward(x)).data();
            List<String> watched = arch.equals(RESNET)
                    ? List.of("conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", "bn1#scale", "bn1#shift",
                            "layer1.0.conv1.weight", "layer2.0.downsample.0.weight", "fc.weight", "fc.bias")
                    : List.of("features.0.weight", "features.0.bias", "features.1.weight", "features.1#scale", "features.1#shift",
                            "classifier.6.weight", "classifier.6.bias");
            Map<String, float[]> before = new LinkedHashMap<>();
            for (String name : watched) {
                before.put(name, backend.download(m.get(name)).data().clone());
            }
            try (Attributor a = new Attributor(m, x)) {
                assertClose(logits, a.logits().data(), 1e-5, "logits with BatchNorm folded");
                a.explain(Composites.named("epsilon_gamma_box"), new int[] {0, 1});
                a.explain(Composites.named("epsilon_plus"), new int[] {1, 0});
            }
            for (String name : watched) {
                assertArrayEquals(before.get(name), backend.download(m.get(name)).data(), name + " changed by explaining");
            }
            // and the model still computes the same function after the attributor is closed
            assertArrayEquals(logits, backend.download(m.forward(x)).data(), "logits after explaining");
        }
    }

    // ---- reuse ----------------------------------------------------------------------------

    /**
     * Several composites on one attributor: one forward pass in all, and each result equal to
     * what a fresh attributor gives for that composite alone (the cached u = W+ x+ + W- x- and
     * activations do not depend on the rule, and no rule's state leaks into the next).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {RESNET, VGG, LENET})
    void composites_share_one_forward_pass(String arch) {
        try (Model m = model(arch, 41, false); TensorScope scope = TensorScope.open()) {
            int n = 2;
            Tensor x = backend.upload(input(m.graph(), n, 11, false));
            int[] targets = {0, 2};
            List<String> composites = List.of("epsilon_gamma_box", "epsilon_plus", "epsilon_alpha2_beta1",
                    "conv=gamma:0.1,linear=gamma:0.1", "epsilon");
            Map<String, Attribution> shared = new LinkedHashMap<>();
            try (Attributor a = new Attributor(m, x)) {
                for (String c : composites) {
                    shared.put(c, a.explain(Composites.named(c), targets));
                }
                // the first one again, after all the others
                Attribution again = a.explain(Composites.named(composites.get(0)), targets);
                assertEquals(1, a.forwardPasses(), "forward passes for " + (composites.size() + 1) + " explanations");
                assertSame(shared.get(composites.get(0)), again, composites.get(0) + " repeated");
            }
            for (String c : composites) {
                try (Attributor fresh = new Attributor(m, x)) {
                    Composite comp = Composites.named(c);
                    assertSame(fresh.explain(comp, targets), shared.get(c), c + " on a shared attributor vs a fresh one");
                    assertEquals(1, fresh.forwardPasses());
                }
            }
        }
    }

    /** Two attributions equal within 1e-6 of their largest value (input and per-channel relevance). */
    static void assertSame(Attribution expected, Attribution actual, String what) {
        assertClose(expected.input().data(), actual.input().data(), 1e-6, what + ": input relevance");
        assertEquals(expected.channels().keySet(), actual.channels().keySet(), what + ": layers");
        for (String k : expected.channels().keySet()) {
            assertClose(expected.channels().get(k).data(), actual.channels().get(k).data(), 1e-6, what + ": channels of " + k);
        }
    }
}
