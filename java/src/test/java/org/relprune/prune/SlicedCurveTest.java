package org.relprune.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.relprune.backend.cpu.CpuBackend;
import org.relprune.model.Graph;
import org.relprune.model.Model;
import org.relprune.model.RandomWeights;
import org.relprune.model.zoo.ModelZoo;
import org.relprune.tensor.HostTensor;

/**
 * The curve at the pruned networks' own width (sliced layers, gathered weights, BatchNorm folded,
 * shared rate-independent nodes; and the per-rate masked variant) against the batched
 * structured-mask evaluation, rate by rate: the same logits up to float rounding (the sums run
 * over fewer terms) and the same top-1 decisions, for every component kind.
 */
class SlicedCurveTest {
    private static CpuBackend backend;

    @BeforeAll
    static void open() {
        backend = new CpuBackend();
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    private static final String RESNET = "{\"family\":\"torchvision.ResNet\",\"block\":\"BasicBlock\",\"layers\":[1,1,1,1],\"width\":8,"
            + "\"num_classes\":10,\"input\":[3,32,32]}";
    private static final String BOTTLENECK = "{\"family\":\"torchvision.ResNet\",\"block\":\"Bottleneck\",\"layers\":[1,1,1,1],\"width\":8,"
            + "\"num_classes\":10,\"input\":[3,32,32]}";
    private static final String VGG = "{\"preset\":\"vgg11_bn\",\"width\":8,\"classifier_width\":32,\"avgpool\":2,\"max_pools\":4,"
            + "\"num_classes\":10,\"input\":[3,32,32]}";
    private static final String VIT = "{\"family\": \"torchvision.VisionTransformer\", \"image_size\": 16, \"patch_size\": 4, "
            + "\"num_layers\": 2, \"num_heads\": 4, \"hidden_dim\": 16, \"mlp_dim\": 32, \"num_classes\": 10}";

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("ResNet channels", RESNET, ComponentKind.CHANNELS, false),
                Arguments.of("ResNet coupled groups", RESNET, ComponentKind.CHANNELS, true),
                Arguments.of("Bottleneck ResNet channels", BOTTLENECK, ComponentKind.CHANNELS, false),
                Arguments.of("VGG-BN channels (flatten of 2x2 maps)", VGG, ComponentKind.CHANNELS, false),
                Arguments.of("VGG-BN classifier neurons", VGG, ComponentKind.LINEAR, false),
                Arguments.of("LeNet-300-100 neurons", "lenet300_100", ComponentKind.LINEAR, false),
                Arguments.of("LeNet-5 channels (conv with bias, no BatchNorm)", "lenet5", ComponentKind.CHANNELS, false),
                Arguments.of("ViT MLP neurons", VIT, ComponentKind.NEURONS, false),
                Arguments.of("ViT heads", VIT, ComponentKind.HEADS, false));
    }

    private static HostTensor images(Graph g, int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] v = new float[(int) (n * g.inputShape().numel())];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rng.nextGaussian();
        }
        long[] dims = new long[g.inputShape().rank() + 1];
        dims[0] = n;
        System.arraycopy(g.inputShape().dims(), 0, dims, 1, g.inputShape().rank());
        return HostTensor.of(v, dims);
    }

    /** Random scores with one layer scored lowest of all, so that it is pruned whole at the high rates. */
    private static PruningPlan plan(Graph g, ComponentKind kind, boolean coupled, long seed) {
        List<PrunableLayer> layers = Components.of(g, kind);
        List<double[]> scores = new RandomCriterion(seed).score(null, layers, null);
        double[] low = scores.get(layers.size() / 2);
        for (int i = 0; i < low.length; i++) {
            low[i] -= 10; // below every other layer's
        }
        Rates rates = Rates.parse("0:0.95:0.05");
        return coupled ? PruningPlan.coupled(layers, scores, ChannelSpaces.of(g).groups(layers), PruningPlan.Reduction.SUM, rates, true, false)
                : PruningPlan.build(layers, scores, rates, true, false);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void slicedLogitsEqualBatchedMasks(String label, String arch, ComponentKind kind, boolean coupled) {
        Graph g = ModelZoo.resolve(arch);
        Map<String, HostTensor> w = RandomWeights.generate(g, 11);
        PruningPlan plan = plan(g, kind, coupled, 5);
        HostTensor x = images(g, 6, 3);
        try (Model m = Model.load(g, w, backend)) {
            List<HostTensor> reference = CurveEvaluator.logits(m, plan, x, CurveEvaluator.Evaluation.BATCHED_MASKS);
            for (CurveEvaluator.Evaluation e : List.of(CurveEvaluator.Evaluation.SLICED, CurveEvaluator.Evaluation.SLICED_ALL,
                    CurveEvaluator.Evaluation.MASKED_PER_RATE)) {
                List<HostTensor> got = CurveEvaluator.logits(m, plan, x, e);
                assertEquals(reference.size(), got.size());
                for (int r = 0; r < got.size(); r++) {
                    assertClose(reference.get(r), got.get(r), label + ", " + e + ", rate " + plan.rates().values().get(r));
                }
            }
        }
        // the slicing really happens: some layer is sliced at some rate, and one is pruned whole
        PrunedWidths widths = PrunedWidths.of(g, plan, PrunedWidths.Policy.SLICE, n -> false);
        boolean sliced = false;
        for (int r = 0; r < widths.rates(); r++) {
            for (int l = 0; l < plan.layers().size(); l++) {
                sliced |= widths.treatment(r, l) == PrunedWidths.Treatment.SLICE;
            }
        }
        assertTrue(sliced, label + ": nothing was sliced");
    }

    /** Logits within 1e-5 of the largest reference logit, and the same top-1 class for every image. */
    private static void assertClose(HostTensor want, HostTensor got, String what) {
        assertEquals(want.shape(), got.shape(), what);
        double scale = 1e-30;
        for (float v : want.data()) {
            scale = Math.max(scale, Math.abs(v));
        }
        int classes = (int) want.shape().dim(-1);
        for (int i = 0; i < want.data().length; i++) {
            assertTrue(Math.abs(want.data()[i] - got.data()[i]) <= 1e-5 * scale,
                    what + ": logit " + i + " " + got.data()[i] + " vs " + want.data()[i] + " (scale " + scale + ")");
        }
        for (int i = 0; i < want.data().length / classes; i++) {
            assertEquals(CurveEvaluator.argmax(want.data(), i * classes, classes, null), CurveEvaluator.argmax(got.data(), i * classes, classes, null),
                    what + ": top-1 of image " + i);
        }
    }

    @Test
    void aLayerPrunedWholeContributesOnlyZeros() {
        Graph g = ModelZoo.resolve(RESNET);
        PruningPlan plan = plan(g, ComponentKind.CHANNELS, false, 5);
        PrunedWidths widths = PrunedWidths.of(g, plan, PrunedWidths.Policy.SLICE, n -> true);
        int last = widths.rates() - 1;
        boolean whole = false;
        for (int l = 0; l < plan.layers().size(); l++) {
            float[] m = plan.mask(last, l);
            boolean all = true;
            for (float v : m) {
                all &= v == 0;
            }
            if (all) {
                whole = true;
                int producer = PrunedWidths.producerOf(g, plan.layers().get(l));
                assertTrue(widths.zeroRows(last, producer), plan.layers().get(l).layer() + " is pruned whole at the last rate");
                assertEquals(1, widths.rows(last, producer).length, "one zero channel stands for none");
            }
        }
        assertTrue(whole, "the test plan prunes some layer whole at 0.95");
    }

    @Test
    void theCheapestPolicyMasksOnlyWhereSlicingSavesLittle() {
        Graph g = ModelZoo.resolve(RESNET);
        // conv 3x3 over 16 channels: 144 MACs per output; 1 of 16 pruned saves 9 < 16: masked; 4 of 16 save 36: sliced
        var producer = g.node("layer2.0.conv2");
        assertEquals(144.0, (double) producer.layer().macs(g.inputShapes(producer)) / producer.shape().numel());
        assertEquals(false, PrunedWidths.sliceWorthIt(g, producer, 15, 16));
        assertEquals(true, PrunedWidths.sliceWorthIt(g, producer, 12, 16));
    }

    @Test
    void imagesPerPassKeepActivationsUnderTheBudget() {
        Graph g = ModelZoo.resolve("{\"preset\":\"resnet18\",\"num_classes\":10,\"input\":[3,64,64]}");
        Map<String, HostTensor> w = RandomWeights.generate(g, 1);
        try (Model m = Model.load(g, w, backend)) {
            // the stem's 64 x 32 x 32 floats = 256 KiB per image: 192 images in 48 MiB
            assertEquals(192, CurveEvaluator.imagesPerPass(m, 1024));
            assertEquals(50, CurveEvaluator.imagesPerPass(m, 50));
        }
    }
}
