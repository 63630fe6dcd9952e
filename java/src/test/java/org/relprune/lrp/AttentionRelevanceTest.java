package org.relprune.lrp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.relprune.backend.LrpOps;
import org.relprune.backend.LrpOps.AttentionMode;
import org.relprune.backend.cpu.CpuBackend;
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
 * Relevance through the attention core against a float64 reference written in the
 * contribution form of the papers (each product term z gets R * z / (2 * its sum) under the
 * uniform bilinear rule; the softmax rule R_S = S * (R_A - A * sum R_A)), independent of the
 * engine's gradient form; and the whole AttnLRP attributor on a small random ViT.
 */
class AttentionRelevanceTest {
    private static CpuBackend backend;

    @BeforeAll
    static void open() {
        backend = new CpuBackend();
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    /** The reference: relevances of q, k, v [b][h][n][dh], heads [b][h] and |.| heads, and the output [b][n][d]. */
    record Reference(double[][][][] rq, double[][][][] rk, double[][][][] rv, double[][] heads, double[][] headsAbs, double[][][] out) {
    }

    static Reference reference(float[] qkv, float[] r, int b, int n, int heads, int dh, boolean attnLrp) {
        int d = heads * dh;
        double scale = 1.0 / Math.sqrt(dh);
        double[][][][] rq = new double[b][heads][n][dh];
        double[][][][] rk = new double[b][heads][n][dh];
        double[][][][] rv = new double[b][heads][n][dh];
        double[][] hs = new double[b][heads];
        double[][] ha = new double[b][heads];
        double[][][] out = new double[b][n][d];
        for (int s = 0; s < b; s++) {
            for (int h = 0; h < heads; h++) {
                double[][] q = new double[n][dh];
                double[][] k = new double[n][dh];
                double[][] v = new double[n][dh];
                double[][] ro = new double[n][dh];
                for (int i = 0; i < n; i++) {
                    for (int c = 0; c < dh; c++) {
                        int base = (s * n + i) * 3 * d + h * dh + c;
                        q[i][c] = qkv[base];
                        k[i][c] = qkv[base + d];
                        v[i][c] = qkv[base + 2 * d];
                        ro[i][c] = r[(s * n + i) * d + h * dh + c];
                    }
                }
                double[][] sc = new double[n][n];
                double[][] a = new double[n][n];
                for (int i = 0; i < n; i++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < n; j++) {
                        for (int c = 0; c < dh; c++) {
                            sc[i][j] += scale * q[i][c] * k[j][c];
                        }
                        max = Math.max(max, sc[i][j]);
                    }
                    double z = 0;
                    for (int j = 0; j < n; j++) {
                        a[i][j] = Math.exp(sc[i][j] - max);
                        z += a[i][j];
                    }
                    for (int j = 0; j < n; j++) {
                        a[i][j] /= z;
                    }
                }
                double[][] o = new double[n][dh];
                for (int i = 0; i < n; i++) {
                    for (int c = 0; c < dh; c++) {
                        for (int j = 0; j < n; j++) {
                            o[i][c] += a[i][j] * v[j][c];
                        }
                        out[s][i][h * dh + c] = o[i][c];
                    }
                }
                double share = attnLrp ? 0.5 : 1.0;
                double[][] ra = new double[n][n];
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        for (int c = 0; c < dh; c++) {
                            double part = ro[i][c] * a[i][j] * v[j][c] / o[i][c]; // term A_ij V_jc of O_ic
                            rv[s][h][j][c] += share * part;
                            ra[i][j] += share * part;
                        }
                    }
                }
                for (int i = 0; i < n; i++) {
                    double perQuery = 0;
                    if (attnLrp) {
                        for (int j = 0; j < n; j++) {
                            perQuery += ra[i][j];
                        }
                    } else {
                        for (int c = 0; c < dh; c++) {
                            perQuery += ro[i][c];
                        }
                    }
                    hs[s][h] += perQuery;
                    ha[s][h] += Math.abs(perQuery);
                }
                if (!attnLrp) {
                    continue;
                }
                for (int i = 0; i < n; i++) {
                    double sum = 0;
                    for (int j = 0; j < n; j++) {
                        sum += ra[i][j];
                    }
                    for (int j = 0; j < n; j++) {
                        double rs = sc[i][j] * (ra[i][j] - a[i][j] * sum); // softmax rule
                        for (int c = 0; c < dh; c++) {
                            double part = rs * scale * q[i][c] * k[j][c] / sc[i][j]; // term of S_ij
                            rq[s][h][i][c] += 0.5 * part;
                            rk[s][h][j][c] += 0.5 * part;
                        }
                    }
                }
            }
        }
        return new Reference(rq, rk, rv, hs, ha, out);
    }

    @Test
    void attentionRelevanceMatchesTheContributionFormInFloat64() {
        int b = 2;
        int n = 5;
        int heads = 3;
        int dh = 4;
        int d = heads * dh;
        SplittableRandom rng = new SplittableRandom(31);
        float[] qkv = new float[b * n * 3 * d];
        for (int i = 0; i < qkv.length; i++) {
            boolean value = (i % (3 * d)) >= 2 * d;
            // positive values keep every output (a denominator of the reference) away from zero
            qkv[i] = (float) (value ? rng.nextDouble(0.5, 1.5) : rng.nextDouble(-1.5, 1.5));
        }
        float[] r = new float[b * n * d];
        for (int i = 0; i < r.length; i++) {
            r[i] = (float) rng.nextDouble(-1, 1);
        }
        for (boolean attnLrp : new boolean[] {false, true}) {
            Reference ref = reference(qkv, r, b, n, heads, dh, attnLrp);
            float[] out = new float[b * n * d];
            for (int s = 0; s < b; s++) {
                for (int i = 0; i < n; i++) {
                    for (int c = 0; c < d; c++) {
                        out[(s * n + i) * d + c] = (float) ref.out()[s][i][c];
                    }
                }
            }
            try (TensorScope scope = TensorScope.open()) {
                LrpOps.AttentionRelevance got = backend.lrp().attention(
                        backend.upload(new HostTensor(Shape.of(b, n, 3 * d), qkv)), backend.upload(new HostTensor(Shape.of(b, n, d), out)),
                        backend.upload(new HostTensor(Shape.of(b, n, d), r)), heads,
                        attnLrp ? AttentionMode.SOFTMAX_BILINEAR : AttentionMode.CONSTANT_WEIGHTS, 1e-12);
                float[] rin = backend.download(got.qkv()).data();
                String mode = attnLrp ? "AttnLRP" : "CP-LRP";
                double worst = 0;
                double scaleRef = 0;
                for (int s = 0; s < b; s++) {
                    for (int i = 0; i < n; i++) {
                        for (int h = 0; h < heads; h++) {
                            for (int c = 0; c < dh; c++) {
                                int base = (s * n + i) * 3 * d + h * dh + c;
                                double[] want = {ref.rq()[s][h][i][c], ref.rk()[s][h][i][c], ref.rv()[s][h][i][c]};
                                for (int part = 0; part < 3; part++) {
                                    worst = Math.max(worst, Math.abs(rin[base + part * d] - want[part]));
                                    scaleRef = Math.max(scaleRef, Math.abs(want[part]));
                                }
                            }
                        }
                    }
                }
                assertTrue(worst <= 1e-5 * Math.max(1, scaleRef), mode + ": max |ours - ref| " + worst + " (max |ref| " + scaleRef + ")");
                float[] hs = backend.download(got.heads()).data();
                float[] ha = backend.download(got.headsAbs()).data();
                assertEquals(b * heads, hs.length, mode + " head read-out shape");
                for (int s = 0; s < b; s++) {
                    for (int h = 0; h < heads; h++) {
                        assertEquals(ref.heads()[s][h], hs[s * heads + h], 1e-5 * Math.max(1, Math.abs(ref.heads()[s][h])), mode + " heads");
                        assertEquals(ref.headsAbs()[s][h], ha[s * heads + h], 1e-5 * Math.max(1, ref.headsAbs()[s][h]), mode + " |heads|");
                    }
                }
            }
        }
    }

    /** The attnlrp preset on a small random ViT: finite, every head read out, Q and K now receive relevance. */
    @Test
    void attnLrpRunsThroughAWholeVisionTransformer() {
        Graph g = ModelZoo.build(JsonParser.parseString("""
                {"family": "torchvision.VisionTransformer", "image_size": 16, "patch_size": 4, "num_layers": 2,
                 "num_heads": 2, "hidden_dim": 16, "mlp_dim": 32, "num_classes": 5}""").getAsJsonObject(), "vit_small_test");
        SplittableRandom rng = new SplittableRandom(5);
        float[] x = new float[2 * 3 * 16 * 16];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextDouble(-1, 1);
        }
        try (Model model = Model.load(g, RandomWeights.generate(g, 3), backend);
             TensorScope scope = TensorScope.open();
             Attributor at = new Attributor(model, backend.upload(new HostTensor(Shape.of(2, 3, 16, 16), x)))) {
            Attribution cp = at.explain(Composites.named("cp_epsilon"), new int[] {1, 3});
            Attribution attn = at.explain(Composites.named("attnlrp"), new int[] {1, 3});
            assertEquals(1, at.forwardPasses(), "both composites from one forward pass");
            assertEquals(2, attn.heads().size(), "one head read-out per attention core");
            for (HostTensor h : attn.heads().values()) {
                assertEquals(Shape.of(2, 2), h.shape());
            }
            double diff = 0;
            for (int i = 0; i < x.length; i++) {
                assertTrue(Float.isFinite(attn.input().data()[i]), "finite input relevance");
                diff += Math.abs(attn.input().data()[i] - cp.input().data()[i]);
            }
            assertTrue(diff > 0, "AttnLRP differs from CP-LRP (relevance now reaches Q and K)");
        }
    }

    /**
     * Several composites on one ViT attributor (the attention weights and LayerNorm factors cached
     * by the first): each equal to what a fresh attributor gives for that composite alone.
     */
    @Test
    void cachedInputFactorsGiveWhatAFreshAttributorGives() {
        Graph g = ModelZoo.build(JsonParser.parseString("""
                {"family": "torchvision.VisionTransformer", "image_size": 16, "patch_size": 4, "num_layers": 2,
                 "num_heads": 2, "hidden_dim": 16, "mlp_dim": 32, "num_classes": 5}""").getAsJsonObject(), "vit_small_test");
        SplittableRandom rng = new SplittableRandom(9);
        float[] x = new float[2 * 3 * 16 * 16];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextDouble(-1, 1);
        }
        int[] targets = {4, 0};
        java.util.List<String> composites = java.util.List.of("cp_gamma", "attnlrp", "cp_epsilon");
        try (Model model = Model.load(g, RandomWeights.generate(g, 4), backend); TensorScope scope = TensorScope.open()) {
            Tensor input = backend.upload(new HostTensor(Shape.of(2, 3, 16, 16), x));
            java.util.Map<String, Attribution> shared = new java.util.LinkedHashMap<>();
            try (Attributor at = new Attributor(model, input)) {
                for (String c : composites) {
                    shared.put(c, at.explain(Composites.named(c), targets));
                }
            }
            for (String c : composites) {
                try (Attributor fresh = new Attributor(model, input)) {
                    Attribution want = fresh.explain(Composites.named(c), targets);
                    Attribution got = shared.get(c);
                    LrpPropertyTest.assertClose(want.input().data(), got.input().data(), 1e-6, c + ": input relevance");
                    for (String k : want.heads().keySet()) {
                        LrpPropertyTest.assertClose(want.heads().get(k).data(), got.heads().get(k).data(), 1e-6, c + ": heads of " + k);
                    }
                    for (String k : want.neurons().keySet()) {
                        LrpPropertyTest.assertClose(want.neurons().get(k).data(), got.neurons().get(k).data(), 1e-6, c + ": neurons of " + k);
                    }
                    assertEquals(want.neurons().keySet(), got.neurons().keySet());
                    assertTrue(!want.heads().isEmpty() && !want.neurons().isEmpty(), "heads and neurons read out");
                }
            }
        }
    }
}
