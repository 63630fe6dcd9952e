package org.relprune.bench.gpu;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.relprune.backend.Backend;
import org.relprune.backend.cuda.CudaBackend;
import org.relprune.backend.cuda.CudaPrecision;
import org.relprune.io.WeightFiles;
import org.relprune.io.data.ImageDataset;
import org.relprune.io.safetensors.SafetensorsReader;
import org.relprune.io.safetensors.SafetensorsWriter;
import org.relprune.lrp.Attribution;
import org.relprune.lrp.Attributor;
import org.relprune.lrp.composite.Composites;
import org.relprune.model.Graph;
import org.relprune.model.Model;
import org.relprune.model.RandomWeights;
import org.relprune.model.zoo.ModelZoo;
import org.relprune.prune.ComponentKind;
import org.relprune.prune.Components;
import org.relprune.prune.CurveEvaluator;
import org.relprune.prune.PrunableLayer;
import org.relprune.prune.PruningPlan;
import org.relprune.prune.Rates;
import org.relprune.run.Backends;
import org.relprune.tensor.DType;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Shape;
import org.relprune.tensor.TensorScope;

/**
 * LRP on the CUDA backend: correctness checks and the benchmark of issue 7. Modes:
 *
 * <pre>
 * reference OUT_DIR            (development machine, CPU backend)
 *     OUT_DIR/lrp-ARCH.safetensors for resnet50 and vit_b_16 (random weights 7, input
 *     [2,3,224,224] from seed 11, targets 3 and 7): input relevance and every read-out, for
 *     epsilon and epsilon_gamma_box (ResNet-50) or cp_epsilon and cp_gamma (ViT-B/16)
 * golden FIXTURE_DIR           (CUDA machine, TF32 off)
 *     both golden fixtures, every composite and read-out: relative L2 per sample &lt;= 1e-4
 * check REF_DIR                (CUDA machine, TF32 off)
 *     the same LRP on CUDA against the CPU reference: relative L2 &lt;= 1e-4
 * bench OUT_JSON               (CUDA machine, cuDNN and cuBLAS TF32 on)
 *     LRP images/s of VGG-16, ResNet-50 (epsilon, epsilon_gamma_box) and ViT-B/16 (cp_epsilon,
 *     cp_gamma), random weights, 224x224, batch 32 and 128: forward once, then the composite; the
 *     other composite on the cached batch; peak device memory; a 20-rate pruning curve of
 *     ResNet-50 on 256 images
 * </pre>
 *
 * Check and bench modes never open the CPU backend (no libtorch in the bundle), unless golden or
 * check is given a third argument {@code cpu}: a self-test of this driver on the development
 * machine.
 */
public final class CudaLrpRun {
    static final double TOLERANCE = 1e-4;
    /** The composites checked and benchmarked per model: CNNs epsilon and epsilon_gamma_box, the ViT cp_epsilon and cp_gamma. */
    static List<String> composites(String arch) {
        return arch.startsWith("vit") ? List.of("cp_epsilon", "cp_gamma") : List.of("epsilon", "epsilon_gamma_box");
    }
    static final int[] TARGETS = {3, 7};

    private CudaLrpRun() {
    }

    public static void main(String[] args) throws Exception {
        // this build's natives in a cache folder of their own, before anything loads them (docs/reliability.md)
        org.relprune.run.Backends.configureNativeCache();
        // a third argument "cpu" runs golden / check on the CPU backend: a self-test of this driver
        boolean onCpu = args.length == 3 && args[2].equals("cpu");
        if (args.length != 2 && !onCpu) {
            System.err.println("usage: CudaLrpRun reference OUT_DIR | golden FIXTURE_DIR | check REF_DIR | bench OUT_JSON");
            System.exit(2);
        }
        PrintStream log = System.out;
        int status = switch (args[0]) {
            case "reference" -> reference(Path.of(args[1]), log);
            case "golden" -> golden(Path.of(args[1]), log, onCpu);
            case "check" -> check(Path.of(args[1]), log, onCpu);
            case "bench" -> bench(Path.of(args[1]), log);
            default -> {
                System.err.println("unknown mode " + args[0]);
                yield 2;
            }
        };
        System.exit(status);
    }

    private static Model preset(String arch, Backend backend) {
        Graph g = ModelZoo.resolve(arch);
        return Model.load(g, RandomWeights.generate(g, CudaForwardCheck.WEIGHT_SEED), backend);
    }

    private static HostTensor input() {
        return CudaForwardCheck.gaussian(CudaForwardCheck.INPUT_SEED, CudaForwardCheck.PRESET_INPUT);
    }

    private static Map<String, HostTensor> explain(String arch, Backend backend) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        try (Model m = preset(arch, backend); TensorScope scope = TensorScope.open(); Attributor a = new Attributor(m, backend.upload(input()))) {
            for (String c : composites(arch)) {
                out.putAll(readouts(c + "/", a.explain(Composites.named(c), TARGETS)));
            }
        }
        return out;
    }

    /** Input relevance and every read-out of an attribution, keyed PREFIX + input | channels/L | neurons/L | neurons_abs/L | heads/L. */
    static Map<String, HostTensor> readouts(String prefix, Attribution at) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        out.put(prefix + "input", at.input());
        at.channels().forEach((k, v) -> out.put(prefix + "channels/" + k, v));
        at.neurons().forEach((k, v) -> out.put(prefix + "neurons/" + k, v));
        at.neuronsAbs().forEach((k, v) -> out.put(prefix + "neurons_abs/" + k, v));
        at.heads().forEach((k, v) -> out.put(prefix + "heads/" + k, v));
        return out;
    }

    static final List<String> CHECKED_MODELS = List.of("resnet50", "vit_b_16");

    static int reference(Path dir, PrintStream log) throws IOException {
        Files.createDirectories(dir);
        try (Backend cpu = Backends.open("cpu", log)) {
            for (String arch : CHECKED_MODELS) {
                Map<String, HostTensor> r = explain(arch, cpu);
                SafetensorsWriter.write(dir.resolve("lrp-" + arch + ".safetensors"), r, Map.of("model", arch, "weights_seed", "7", "input_seed", "11"));
                log.println("reference: " + r.size() + " tensors of " + arch + " LRP into " + dir);
            }
        }
        return 0;
    }

    static double relativeL2(float[] a, float[] b, int from, int to) {
        double num = 0;
        double den = 0;
        for (int i = from; i < to; i++) {
            num += (a[i] - (double) b[i]) * (a[i] - (double) b[i]);
            den += (double) b[i] * b[i];
        }
        return den == 0 ? Math.sqrt(num) : Math.sqrt(num / den);
    }

    /** Worst per-sample relative L2 of ours against the reference; -1 for a shape mismatch. */
    static double worst(HostTensor ours, HostTensor ref) {
        if (!ours.shape().equals(ref.shape())) {
            return -1;
        }
        int rows = (int) ref.shape().dim(0);
        int per = ref.data().length / rows;
        double w = 0;
        for (int i = 0; i < rows; i++) {
            w = Math.max(w, relativeL2(ours.data(), ref.data(), i * per, (i + 1) * per));
        }
        return w;
    }

    private static Backend open(boolean onCpu, PrintStream log) {
        return onCpu ? Backends.open("cpu", log) : CudaBackend.open();
    }

    static int golden(Path fixtures, PrintStream log, boolean onCpu) throws Exception {
        int failed = 0;
        int passed = 0;
        Map<String, List<String>> cases = new LinkedHashMap<>();
        cases.put("resnet_basic", List.of("epsilon_gamma_box", "epsilon_plus", "epsilon_alpha2_beta1", "epsilon"));
        cases.put("vit_tiny", List.of("cp_gamma", "cp_epsilon"));
        try (Backend gpu = open(onCpu, log)) {
            log.println("backend: " + gpu.description());
            for (Map.Entry<String, List<String>> fx : cases.entrySet()) {
                String fixture = fx.getKey();
                HostTensor input;
                int[] targets;
                try (SafetensorsReader g = SafetensorsReader.open(fixtures.resolve(fixture + ".golden.safetensors"))) {
                    input = g.readFloat("input");
                    float[] t = g.readFloat("target").data();
                    targets = new int[t.length];
                    for (int i = 0; i < t.length; i++) {
                        targets[i] = Math.round(t[i]);
                    }
                }
                // fp32 cache: 1e-4; bf16 cache: the tolerances of GoldenRelevanceTest (read-outs 1e-2,
                // alpha-beta's 0.1, input relevance 0.15)
                for (DType cache : List.of(DType.F32, DType.BF16)) {
                    try (Model model = Model.load(ModelZoo.resolve(fixtures.resolve(fixture + ".json").toString()),
                            WeightFiles.read(fixtures.resolve(fixture + ".model.safetensors")), gpu);
                         TensorScope scope = TensorScope.open();
                         Attributor at = new Attributor(model, gpu.upload(input), null, cache);
                         SafetensorsReader golden = SafetensorsReader.open(fixtures.resolve(fixture + ".golden.safetensors"))) {
                        for (String c : fx.getValue()) {
                            String prefix = "relevance/" + c + "/";
                            Map<String, HostTensor> ours = readouts(prefix, at.explain(Composites.named(c), targets));
                            for (String key : golden.entries().keySet()) {
                                if (!key.startsWith(prefix)) {
                                    continue;
                                }
                                HostTensor mine = ours.get(key);
                                double w = mine == null ? -1 : worst(mine, golden.readFloat(key));
                                double tolerance = cache == DType.F32 ? TOLERANCE
                                        : key.endsWith("/input") ? 0.15 : c.contains("alpha") ? 0.1 : 1e-2;
                                boolean ok = w >= 0 && w <= tolerance;
                                passed += ok ? 1 : 0;
                                failed += ok ? 0 : 1;
                                log.printf(Locale.ROOT, "%s golden %s cache %s %s: worst per-sample relative L2 %.3e%n", ok ? "PASS" : "FAIL",
                                        cache, fixture, key, w);
                            }
                        }
                    }
                }
            }
        }
        log.println(passed + " passed, " + failed + " failed");
        return failed == 0 && passed > 0 ? 0 : 1;
    }

    static int check(Path refs, PrintStream log, boolean onCpu) throws Exception {
        int failed = 0;
        int passed = 0;
        try (Backend gpu = open(onCpu, log)) {
            log.println("backend: " + gpu.description());
            for (String arch : CHECKED_MODELS) {
                try (SafetensorsReader ref = SafetensorsReader.open(refs.resolve("lrp-" + arch + ".safetensors"))) {
                    Map<String, HostTensor> ours = explain(arch, gpu);
                    for (String key : ref.entries().keySet()) {
                        HostTensor mine = ours.get(key);
                        double w = mine == null ? -1 : worst(mine, ref.readFloat(key));
                        boolean ok = w >= 0 && w <= TOLERANCE;
                        passed += ok ? 1 : 0;
                        failed += ok ? 0 : 1;
                        if (!ok || key.endsWith("/input")) {
                            log.printf(Locale.ROOT, "%s %s %s: relative L2 %.3e (CUDA vs CPU)%n", ok ? "PASS" : "FAIL", arch, key, w);
                        }
                    }
                }
            }
        }
        log.println(passed + " passed, " + failed + " failed (ResNet-50 and ViT-B/16 LRP, CUDA vs CPU)");
        return failed == 0 && passed > 0 ? 0 : 1;
    }

    // ---- benchmark ---------------------------------------------------------------------------

    private static double medianMs(List<Double> ms) {
        List<Double> s = new ArrayList<>(ms);
        s.sort(null);
        return s.get(s.size() / 2);
    }

    static int bench(Path out, PrintStream log) throws Exception {
        StringBuilder json = new StringBuilder("{\n");
        // PyTorch's defaults, as peer_bench.py runs: TF32 convolutions, fp32 matrix products
        try (CudaBackend gpu = CudaBackend.open(CudaPrecision.PYTORCH_DEFAULTS)) {
            json.append(String.format(Locale.ROOT, "  \"device\": \"%s\",\n  \"tf32_convolutions\": true,\n  \"tf32_matmul\": false,\n",
                    gpu.description().replace("\"", "'")));
            for (String arch : List.of("vgg16", "resnet50", "vit_b_16")) {
                Graph g = ModelZoo.resolve(arch);
                json.append("  \"").append(arch).append("\": {");
                boolean firstEntry = true;
                try (Model m = Model.load(g, RandomWeights.generate(g, 7), gpu)) {
                    for (int batch : new int[] {32, 128}) {
                        HostTensor x = CudaForwardCheck.gaussian(11, batch, 3, 224, 224);
                        int[] targets = new int[batch];
                        Arrays.setAll(targets, i -> (i * 37) % 1000);
                        List<String> pair = composites(arch);
                        for (String composite : pair) {
                            String other = composite.equals(pair.get(0)) ? pair.get(1) : pair.get(0);
                            // the bf16 cache beside the fp32 one for the first composite at batch 32
                            boolean withBf16 = batch == 32 && composite.equals(pair.get(0));
                            for (DType cache : withBf16 ? List.of(DType.F32, DType.BF16) : List.of(DType.F32)) {
                                Timing t = timeLrp(gpu, m, x, targets, composite, other, cache);
                                String tag = cache == DType.F32 ? "" : "_bf16cache";
                                log.printf(Locale.ROOT, "%-9s batch %3d %-18s%s LRP %8.1f img/s (%.1f ms, forward + explain); second composite on the cache %.1f ms; peak %.0f MiB; cache %.0f MiB%n",
                                        arch, batch, composite, cache == DType.F32 ? "" : " (bf16 cache)", batch * 1000 / t.ms(), t.ms(), t.secondMs(),
                                        t.peakBytes() / 1048576.0, t.cacheBytes() / 1048576.0);
                                json.append(firstEntry ? "\n" : ",\n");
                                firstEntry = false;
                                json.append(String.format(Locale.ROOT, "    \"lrp_%s_b%d%s\": {\"ms\": %.3f, \"img_s\": %.2f, \"second_composite_ms\": %.3f, \"peak_mib\": %.1f, \"cache_mib\": %.1f}",
                                        composite, batch, tag, t.ms(), batch * 1000 / t.ms(), t.secondMs(), t.peakBytes() / 1048576.0, t.cacheBytes() / 1048576.0));
                            }
                        }
                    }
                    if (arch.equals("resnet50")) {
                        double curveMs = curve(m, gpu);
                        log.printf(Locale.ROOT, "resnet50  pruning curve: 20 rates x 256 images in %.1f ms%n", curveMs);
                        json.append(String.format(Locale.ROOT, ",\n    \"curve_20_rates_256_images_ms\": %.3f", curveMs));
                    }
                }
                json.append("\n  }").append(arch.equals("vit_b_16") ? "\n" : ",\n");
            }
            json.append("}\n");
        }
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, json.toString());
        log.println("wrote " + out);
        return 0;
    }

    /** Median times of forward + a composite and of another composite on the cache, peak device memory and the cache's size. */
    record Timing(double ms, double secondMs, long peakBytes, long cacheBytes) {
    }

    private static Timing timeLrp(CudaBackend gpu, Model m, HostTensor x, int[] targets, String composite, String other, DType cache) {
        List<Double> first = new ArrayList<>();
        List<Double> second = new ArrayList<>();
        long peak = 0;
        long cacheBytes = 0;
        for (int rep = 0; rep < 6; rep++) {
            gpu.resetPeakMemory();
            try (TensorScope scope = TensorScope.open()) {
                var dx = gpu.upload(x);
                gpu.synchronize();
                long t0 = System.nanoTime();
                try (Attributor a = new Attributor(m, dx, null, cache)) {
                    a.explain(Composites.named(composite), targets);
                    gpu.synchronize();
                    long t1 = System.nanoTime();
                    a.explain(Composites.named(other), targets);
                    gpu.synchronize();
                    long t2 = System.nanoTime();
                    if (rep > 0) { // the first round warms up cuDNN's plans
                        first.add((t1 - t0) / 1e6);
                        second.add((t2 - t1) / 1e6);
                    }
                    cacheBytes = a.cacheBytes();
                }
            }
            peak = Math.max(peak, gpu.peakMemoryInUse());
        }
        return new Timing(medianMs(first), medianMs(second), peak, cacheBytes);
    }

    /** A 20-rate curve (global ranking of random scores) of ResNet-50's channels on 256 random images, timed after one warm-up. */
    private static double curve(Model m, CudaBackend gpu) {
        List<PrunableLayer> layers = Components.of(m.graph(), ComponentKind.CHANNELS);
        java.util.SplittableRandom rng = new java.util.SplittableRandom(5);
        List<double[]> scores = new ArrayList<>();
        for (PrunableLayer l : layers) {
            double[] s = new double[l.count()];
            Arrays.setAll(s, i -> rng.nextDouble());
            scores.add(s);
        }
        PruningPlan plan = PruningPlan.build(layers, scores, Rates.standard(), true, false);
        HostTensor images = CudaForwardCheck.gaussian(13, 256, 3, 224, 224);
        int[] labels = new int[256];
        Arrays.setAll(labels, i -> i % 1000);
        List<String> classes = new ArrayList<>();
        for (int c = 0; c < 1000; c++) {
            classes.add("class " + c);
        }
        ImageDataset data = ImageDataset.of(images.data(), labels, Shape.of(3, 224, 224), classes, "random", true);
        CurveEvaluator.accuracy(m, plan, data, null, 640, null);
        gpu.synchronize();
        long t0 = System.nanoTime();
        CurveEvaluator.accuracy(m, plan, data, null, 640, null);
        gpu.synchronize();
        return (System.nanoTime() - t0) / 1e6;
    }
}
