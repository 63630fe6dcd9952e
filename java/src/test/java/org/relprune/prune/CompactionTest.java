package org.relprune.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.relprune.backend.cpu.CpuBackend;
import org.relprune.model.ForwardPass;
import org.relprune.model.Graph;
import org.relprune.model.Model;
import org.relprune.model.RandomWeights;
import org.relprune.model.zoo.ModelZoo;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Shape;
import org.relprune.tensor.Tensor;
import org.relprune.tensor.TensorScope;

/**
 * The compacted model (channels physically removed, loaded back through the zoo) computes the
 * same logits as the full model with the same channels masked, on chains (LeNet-5, VGG with
 * BatchNorm) and on ResNets whose residual adds couple channels (BasicBlock and Bottleneck).
 */
class CompactionTest {
    private static CpuBackend backend;

    @BeforeAll
    static void open() {
        backend = new CpuBackend();
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"lenet5",
        "{\"preset\":\"resnet18\",\"width\":4,\"num_classes\":5,\"input\":[3,32,32]}",
        "{\"preset\":\"resnet50\",\"width\":4,\"num_classes\":5,\"input\":[3,32,32]}",
        "{\"family\":\"torchvision.VGG\",\"config\":\"A\",\"batch_norm\":true,\"num_classes\":4,\"width\":8,\"classifier_width\":16,\"avgpool\":2,\"input\":[3,32,32]}"})
    void compactedModelEqualsTheMaskedOne(String arch) {
        Graph g = ModelZoo.resolve(arch);
        JsonObject base = ModelZoo.resolveConfig(arch);
        Map<String, HostTensor> w = RandomWeights.generate(g, 4);
        List<PrunableLayer> layers = Components.of(g, ComponentKind.CHANNELS);
        List<int[]> groups = ChannelSpaces.of(g).groups(layers);
        PruningPlan plan = PruningPlan.coupled(layers, new RandomCriterion(9).score(null, layers, null), groups, PruningPlan.Reduction.SUM,
                Rates.parse("0,0.4"), true, false);
        assertTrue(plan.pruned(1) > 0);
        Compaction.Result small = Compaction.compact(g, base, w, plan, 1);
        Graph pg = ModelZoo.build(small.architecture(), "pruned");
        assertTrue(pg.parameterCount() < g.parameterCount(), "fewer parameters");
        assertTrue(pg.macs() < g.macs(), "fewer MACs");
        SplittableRandom rng = new SplittableRandom(2);
        Shape in = Shape.of(3, g.inputShape().dim(0), g.inputShape().dim(1), g.inputShape().dim(2));
        float[] x = new float[in.numelInt()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextDouble(-1, 1);
        }
        try (Model full = Model.load(g, w, backend); Model pruned = Model.load(pg, small.weights(), backend); TensorScope s = TensorScope.open()) {
            Map<String, Tensor> masks = new HashMap<>();
            for (int l = 0; l < layers.size(); l++) {
                masks.put(layers.get(l).maskNode(), backend.upload(HostTensor.of(plan.mask(1, l), 1, layers.get(l).count())));
            }
            Tensor input = backend.upload(new HostTensor(in, x));
            float[] masked = backend.download(ForwardPass.run(g, full, backend, input,
                    (node, out) -> masks.containsKey(node.name()) ? backend.channelMask(out, masks.get(node.name())) : out)).data();
            float[] compacted = backend.download(ForwardPass.run(pg, pruned, backend, input)).data();
            assertEquals(masked.length, compacted.length);
            double scale = 0;
            for (float v : masked) {
                scale = Math.max(scale, Math.abs(v));
            }
            for (int i = 0; i < masked.length; i++) {
                assertEquals(masked[i], compacted[i], 1e-5 * scale + 1e-6, arch + " logit " + i);
            }
        }
    }

    /** ViT MLP neurons and attention heads, LeNet-5 hidden linear neurons: fewer of them, the same logits as masking them. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"neurons", "heads", "linear"})
    void compactedNeuronsAndHeadsEqualTheMaskedOnes(String components) {
        if (components.equals("linear")) {
            compactedEqualsMasked("lenet5", ComponentKind.LINEAR, Shape.of(2, 1, 28, 28));
            return;
        }
        String arch = "{\"family\":\"torchvision.VisionTransformer\",\"image_size\":16,\"patch_size\":4,\"num_layers\":2,"
                + "\"num_heads\":4,\"hidden_dim\":16,\"mlp_dim\":24,\"num_classes\":5}";
        compactedEqualsMasked(arch, ComponentKind.parse(components), Shape.of(2, 3, 16, 16));
    }

    private static void compactedEqualsMasked(String arch, ComponentKind kind, Shape in) {
        Graph g = ModelZoo.resolve(arch);
        Map<String, HostTensor> w = RandomWeights.generate(g, 4);
        List<PrunableLayer> layers = Components.of(g, kind);
        PruningPlan plan = PruningPlan.build(layers, new RandomCriterion(5).score(null, layers, null), Rates.parse("0,0.4"), true, false);
        assertTrue(plan.pruned(1) > 0);
        Compaction.Result small = Compaction.compact(g, ModelZoo.resolveConfig(arch), w, plan, 1);
        Graph pg = ModelZoo.build(small.architecture(), "pruned");
        assertTrue(pg.parameterCount() < g.parameterCount(), "fewer parameters");
        SplittableRandom rng = new SplittableRandom(3);
        float[] x = new float[in.numelInt()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextDouble(-1, 1);
        }
        try (Model full = Model.load(g, w, backend); Model pruned = Model.load(pg, small.weights(), backend); TensorScope s = TensorScope.open()) {
            Map<String, Tensor> masks = new HashMap<>();
            Map<String, PrunableLayer> byNode = new HashMap<>();
            for (int l = 0; l < layers.size(); l++) {
                PrunableLayer layer = layers.get(l);
                float[] m = new float[layer.features()];
                float[] mk = plan.mask(1, l);
                for (int c = 0; c < layer.count(); c++) {
                    java.util.Arrays.fill(m, c * layer.span(), (c + 1) * layer.span(), mk[c]);
                }
                masks.put(layer.maskNode(), backend.upload(HostTensor.of(m, 1, layer.features())));
                byNode.put(layer.maskNode(), layer);
            }
            Tensor input = backend.upload(new HostTensor(in, x));
            float[] masked = backend.download(ForwardPass.run(g, full, backend, input, (node, out) -> masks.containsKey(node.name())
                    ? CurveEvaluator.mask(backend, out, masks.get(node.name()), byNode.get(node.name()).featureAxis()) : out)).data();
            float[] compacted = backend.download(ForwardPass.run(pg, pruned, backend, input)).data();
            double scale = 0;
            for (float v : masked) {
                scale = Math.max(scale, Math.abs(v));
            }
            for (int i = 0; i < masked.length; i++) {
                assertEquals(masked[i], compacted[i], 1e-5 * scale + 1e-6, kind + " logit " + i);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"{\"preset\":\"resnet18\",\"width\":4,\"num_classes\":5,\"input\":[3,32,32]}"})
    void residualAddsTieChannelsIntoGroups(String arch) {
        Graph g = ModelZoo.resolve(arch);
        List<PrunableLayer> layers = Components.of(g, ComponentKind.CHANNELS);
        List<int[]> groups = ChannelSpaces.of(g).groups(layers);
        // ResNet-18: one residual stream per stage (stem + the blocks' conv2 + the downsample) and
        // every block's conv1 on its own: 4 streams + 8 conv1 = 12 groups covering all 20 convs
        assertEquals(12, groups.size());
        int members = groups.stream().mapToInt(a -> a.length).sum();
        assertEquals(layers.size(), members);
        int[] stem = groups.get(0);
        List<String> names = java.util.Arrays.stream(stem).mapToObj(i -> layers.get(i).layer()).toList();
        assertEquals(List.of("conv1", "layer1.0.conv2", "layer1.1.conv2"), names);
        // an independent plan does not tie them, and compaction says so
        PruningPlan independent = PruningPlan.build(layers, new RandomCriterion(1).score(null, layers, null), Rates.parse("0,0.5"), true, false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Compaction.compact(g, ModelZoo.resolveConfig(arch), RandomWeights.generate(g, 1), independent, 1));
        assertTrue(e.getMessage().contains("--grouping coupled"), e.getMessage());
    }
}
