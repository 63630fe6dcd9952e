package org.relprune.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.relprune.backend.cpu.CpuBackend;
import org.relprune.model.Graph;
import org.relprune.model.Model;
import org.relprune.model.RandomWeights;
import org.relprune.model.zoo.ModelZoo;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Shape;
import org.relprune.tensor.Tensor;
import org.relprune.tensor.TensorScope;

/**
 * Every zoo preset, with random weights, against the same network composed independently from
 * libtorch ops ({@link TorchReference}): logits within relative L2 error 1e-5.
 */
class ZooTorchParityTest {
    private static final int M = -1;
    private static final int[] VGG_A = {64, M, 128, M, 256, 256, M, 512, 512, M, 512, 512, M};
    private static final int[] VGG_B = {64, 64, M, 128, 128, M, 256, 256, M, 512, 512, M, 512, 512, M};
    private static final int[] VGG_D = {64, 64, M, 128, 128, M, 256, 256, 256, M, 512, 512, 512, M, 512, 512, 512, M};
    private static final int[] VGG_E = {64, 64, M, 128, 128, M, 256, 256, 256, 256, M, 512, 512, 512, 512, M, 512, 512, 512, 512, M};

    static Stream<Arguments> presets() {
        return Stream.of(
                Arguments.of("lenet5", 4, TorchReference.lenet5()),
                Arguments.of("lenet300_100", 4, TorchReference.lenet300()),
                Arguments.of("resnet20", 2, TorchReference.resnet(false, new int[] {3, 3, 3}, true)),
                Arguments.of("resnet56", 2, TorchReference.resnet(false, new int[] {9, 9, 9}, true)),
                Arguments.of("resnet18", 2, TorchReference.resnet(false, new int[] {2, 2, 2, 2}, false)),
                Arguments.of("resnet34", 1, TorchReference.resnet(false, new int[] {3, 4, 6, 3}, false)),
                Arguments.of("resnet50", 2, TorchReference.resnet(true, new int[] {3, 4, 6, 3}, false)),
                Arguments.of("resnet101", 1, TorchReference.resnet(true, new int[] {3, 4, 23, 3}, false)),
                Arguments.of("resnet152", 1, TorchReference.resnet(true, new int[] {3, 8, 36, 3}, false)),
                Arguments.of("vgg11", 1, TorchReference.vgg(VGG_A, false)),
                Arguments.of("vgg11_bn", 1, TorchReference.vgg(VGG_A, true)),
                Arguments.of("vgg13", 1, TorchReference.vgg(VGG_B, false)),
                Arguments.of("vgg13_bn", 1, TorchReference.vgg(VGG_B, true)),
                Arguments.of("vgg16", 1, TorchReference.vgg(VGG_D, false)),
                Arguments.of("vgg16_bn", 1, TorchReference.vgg(VGG_D, true)),
                Arguments.of("vgg19", 1, TorchReference.vgg(VGG_E, false)),
                Arguments.of("vgg19_bn", 1, TorchReference.vgg(VGG_E, true)),
                Arguments.of("vit_b_16", 2, TorchReference.vit(16, 12, 12, 768)),
                Arguments.of("vit_l_16", 1, TorchReference.vit(16, 24, 16, 1024)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("presets")
    void presetMatchesIndependentLibtorchComposition(String preset, int batch, TorchReference.Net reference) {
        Graph graph = ModelZoo.resolve(preset);
        Map<String, HostTensor> weights = RandomWeights.generate(graph, 1234);
        HostTensor input = randomInput(graph.inputShape(), batch, 99);

        HostTensor ours;
        try (CpuBackend cpu = new CpuBackend(); Model model = Model.load(graph, weights, cpu); TensorScope scope = TensorScope.open()) {
            Tensor logits = model.forward(cpu.upload(input));
            ours = cpu.download(logits);
        }
        HostTensor expected = TorchReference.run(weights, input, reference);
        double err = Errors.relativeL2(ours, expected);
        System.out.printf("zoo parity %s (batch %d): relative L2 error %.3e%n", preset, batch, err);
        assertTrue(err <= 1e-5, preset + ": relative L2 error " + err + " > 1e-5");
    }

    static HostTensor randomInput(Shape perSample, int batch, long seed) {
        long[] d = perSample.dims();
        long[] dims = new long[d.length + 1];
        dims[0] = batch;
        System.arraycopy(d, 0, dims, 1, d.length);
        Shape s = Shape.of(dims);
        float[] v = new float[s.numelInt()];
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rng.nextDouble() * 4 - 2);
        }
        return new HostTensor(s, v);
    }
}
