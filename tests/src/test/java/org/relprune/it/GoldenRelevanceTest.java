package org.relprune.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.relprune.backend.cpu.CpuBackend;
import org.relprune.io.WeightFiles;
import org.relprune.io.safetensors.SafetensorsReader;
import org.relprune.lrp.Attribution;
import org.relprune.lrp.Attributor;
import org.relprune.lrp.composite.Composites;
import org.relprune.model.Model;
import org.relprune.model.zoo.ModelZoo;
import org.relprune.tensor.DType;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.TensorScope;

/**
 * The CNN composites of the golden fixtures (zennit, float64) reproduced on the CPU: relative L2
 * error per sample <= 1e-4 for the input relevance and for every conv's channel relevance. All
 * composites of a fixture are explained from one cached forward pass.
 */
class GoldenRelevanceTest {
    static Stream<Arguments> cases() {
        return Stream.of(Arguments.of("resnet_basic", List.of("epsilon_gamma_box", "epsilon_plus", "epsilon_alpha2_beta1", "epsilon")),
                Arguments.of("vit_tiny", List.of("cp_gamma", "cp_epsilon")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void compositesMatchGolden(String fixture, List<String> composites) throws Exception {
        try (CpuBackend cpu = new CpuBackend()) {
            compositesMatchGolden(fixture, composites, cpu, DType.F32, FP32_TOLERANCE);
        }
    }

    /**
     * With the cached activations stored in bf16 (half the cache's memory, 8 significant bits):
     * the component read-outs that pruning ranks stay within 1e-2 of the golden ones per sample
     * (alpha-beta, whose positive and negative parts cancel, within 0.1), the input relevance
     * within 0.15, and the cache is about half the size. Measured: docs/lrp.md.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void compositesMatchGoldenWithBf16Cache(String fixture, List<String> composites) throws Exception {
        try (CpuBackend cpu = new CpuBackend()) {
            compositesMatchGolden(fixture, composites, cpu, DType.BF16, BF16_TOLERANCE);
        }
    }

    /** Relative L2 per sample allowed of a composite's input relevance (true) or component read-outs (false). */
    interface Tolerance {
        double of(String composite, boolean input);
    }

    static final Tolerance FP32_TOLERANCE = (composite, input) -> 1e-4;
    static final Tolerance BF16_TOLERANCE = (composite, input) -> input ? 0.15 : composite.contains("alpha") ? 0.1 : 1e-2;

    /**
     * Both fixtures on the CUDA backend, fp32 with TF32 off (the fused CUDA LRP kernels, cuDNN
     * backward data, cuBLAS). Without a CUDA device it reports itself skipped, never passed.
     */
    @org.junit.jupiter.api.Test
    void compositesMatchGoldenOnCuda() throws Exception {
        org.relprune.backend.cuda.CudaBackend gpu;
        try {
            gpu = org.relprune.backend.cuda.CudaBackend.open();
        } catch (org.relprune.backend.BackendUnavailableException e) {
            org.junit.jupiter.api.Assumptions.abort("no CUDA device: CUDA golden relevance not run (" + e.getMessage() + ")");
            return;
        }
        try (gpu) {
            for (Arguments a : cases().toList()) {
                @SuppressWarnings("unchecked")
                List<String> composites = (List<String>) a.get()[1];
                compositesMatchGolden((String) a.get()[0], composites, gpu, DType.F32, FP32_TOLERANCE);
                compositesMatchGolden((String) a.get()[0], composites, gpu, DType.BF16, BF16_TOLERANCE);
            }
        }
    }

    private static void compositesMatchGolden(String fixture, List<String> composites, org.relprune.backend.Backend backend, DType cache,
                                              Tolerance tolerance) throws Exception {
        HostTensor input;
        int[] targets;
        try (SafetensorsReader g = SafetensorsReader.open(GoldenFixtures.golden(fixture))) {
            input = g.readFloat("input");
            float[] t = g.readFloat("target").data();
            targets = new int[t.length];
            for (int i = 0; i < t.length; i++) {
                targets[i] = Math.round(t[i]);
            }
        }
        List<String> failures = new ArrayList<>();
        try (Model model = Model.load(ModelZoo.resolve(GoldenFixtures.arch(fixture).toString()), WeightFiles.read(GoldenFixtures.model(fixture)), backend);
             TensorScope scope = TensorScope.open();
             Attributor attributor = new Attributor(model, backend.upload(input), null, cache);
             SafetensorsReader golden = SafetensorsReader.open(GoldenFixtures.golden(fixture))) {
            for (String c : composites) {
                Attribution a = attributor.explain(Composites.named(c), targets);
                String where = backend.device() + " " + cache + " cache " + fixture + " " + c + " ";
                check(failures, where + "input", a.input(), golden.readFloat("relevance/" + c + "/input"), tolerance.of(c, true));
                for (Map.Entry<String, HostTensor> e : a.channels().entrySet()) {
                    if (!golden.contains("relevance/" + c + "/channels/" + e.getKey())) {
                        continue; // the ViT fixture has no channel readout for conv_proj
                    }
                    check(failures, where + "channels/" + e.getKey(), e.getValue(),
                            golden.readFloat("relevance/" + c + "/channels/" + e.getKey()), tolerance.of(c, false));
                }
                for (Map.Entry<String, HostTensor> e : a.neurons().entrySet()) {
                    check(failures, where + "neurons/" + e.getKey(), e.getValue(), golden.readFloat("relevance/" + c + "/neurons/" + e.getKey()), tolerance.of(c, false));
                }
                for (Map.Entry<String, HostTensor> e : a.neuronsAbs().entrySet()) {
                    check(failures, where + "neurons_abs/" + e.getKey(), e.getValue(),
                            golden.readFloat("relevance/" + c + "/neurons_abs/" + e.getKey()), tolerance.of(c, false));
                }
                String prefix = "relevance/" + c + "/";
                long expected = golden.entries().keySet().stream().filter(k -> k.startsWith(prefix) && !k.endsWith("/input")).count();
                long produced = a.channels().keySet().stream().filter(k -> golden.contains(prefix + "channels/" + k)).count()
                        + a.neurons().size() + a.neuronsAbs().size();
                assertEquals(expected, produced, "every golden component tensor of " + fixture + " is produced");
            }
            assertEquals(1, attributor.forwardPasses(), "all composites reuse one forward pass");
            if (cache == DType.BF16) {
                try (TensorScope again = TensorScope.open();
                     Attributor wide = new Attributor(model, backend.upload(input))) {
                    for (String c : composites) {
                        wide.explain(Composites.named(c), targets); // fills the same caches
                    }
                    double ratio = (double) attributor.cacheBytes() / wide.cacheBytes();
                    System.out.printf("%s: bf16 cache %d bytes, f32 cache %d bytes (%.3f)%n", fixture, attributor.cacheBytes(), wide.cacheBytes(), ratio);
                    assertTrue(ratio > 0.45 && ratio < 0.65, fixture + ": bf16 cache / f32 cache = " + ratio);
                }
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    /** The same through the command line, one composite per run. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void explainCommandWritesGoldenRelevance(String fixture, List<String> composites, @org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        List<String> failures = new ArrayList<>();
        for (String c : composites) {
            java.nio.file.Path out = tmp.resolve(c + ".safetensors");
            Cli r = Cli.run("explain", "--arch", GoldenFixtures.arch(fixture).toString(), "--weights", GoldenFixtures.model(fixture).toString(),
                    "--input", GoldenFixtures.golden(fixture) + ":input", "--target", GoldenFixtures.golden(fixture) + ":target",
                    "--composite", c, "--out", out.toString(), "--batch", "3"); // 4 samples: batches of 3 and 1, stacked
            assertEquals(0, r.exitCode(), r.err());
            try (SafetensorsReader o = SafetensorsReader.open(out); SafetensorsReader g = SafetensorsReader.open(GoldenFixtures.golden(fixture))) {
                for (String key : g.entries().keySet()) {
                    String prefix = "relevance/" + c + "/";
                    if (key.startsWith(prefix)) {
                        check(failures, "cli " + fixture + " " + key, o.readFloat("relevance/" + key.substring(prefix.length())), g.readFloat(key));
                    }
                }
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    private static void check(List<String> failures, String what, HostTensor ours, HostTensor golden) {
        check(failures, what, ours, golden, 1e-4);
    }

    private static void check(List<String> failures, String what, HostTensor ours, HostTensor golden, double tolerance) {
        if (!ours.shape().equals(golden.shape())) {
            failures.add(what + ": shape " + ours.shape() + " vs golden " + golden.shape());
            return;
        }
        int rows = (int) golden.shape().dim(0);
        int per = golden.data().length / rows;
        double worst = 0;
        for (int i = 0; i < rows; i++) {
            worst = Math.max(worst, Errors.relativeL2(ours.data(), golden.data(), i * per, (i + 1) * per));
        }
        System.out.printf("golden relevance %s: worst per-sample relative L2 %.3e%n", what, worst);
        if (!(worst <= tolerance)) {
            failures.add(what + ": worst per-sample relative L2 error " + worst);
        }
    }
}
