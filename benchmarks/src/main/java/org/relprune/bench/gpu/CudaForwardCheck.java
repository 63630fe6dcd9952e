package org.relprune.bench.gpu;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.relprune.backend.Backend;
import org.relprune.backend.BackendUnavailableException;
import org.relprune.backend.cuda.CudaBackend;
import org.relprune.io.WeightFiles;
import org.relprune.io.safetensors.SafetensorsReader;
import org.relprune.io.safetensors.SafetensorsWriter;
import org.relprune.model.Graph;
import org.relprune.model.Model;
import org.relprune.model.RandomWeights;
import org.relprune.model.zoo.ModelZoo;
import org.relprune.run.Backends;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Shape;
import org.relprune.tensor.Tensor;
import org.relprune.tensor.TensorScope;

/**
 * Checks the CUDA forward pass against the CPU backend on whole models. Two modes:
 *
 * <pre>
 * reference OUT_DIR FIXTURE_DIR   (development machine, CPU backend / libtorch)
 *     writes OUT_DIR/CASE.reference.safetensors: 'logits' computed on the CPU, plus metadata with
 *     hashes of the weights and the input the logits came from
 * check REF_DIR FIXTURE_DIR       (CUDA machine; needs no libtorch)
 *     recomputes the logits with the CUDA backend (TF32 off) and compares: relative L2 error
 *     ||cuda - cpu|| / ||cpu|| &lt;= 1e-4 (and, for the fixtures, also against their golden logits);
 *     one line per case, then "N passed, N failed"; exit status 1 if any case failed
 * </pre>
 *
 * Cases: the golden fixtures resnet_basic and vit_tiny (architecture JSON, weights and input
 * [4,3,H,W] from FIXTURE_DIR) and the presets resnet50 and vit_b_16 with
 * {@code RandomWeights.generate(graph, 7)} and an input [2,3,224,224] ~ N(0,1) drawn from
 * {@code SplittableRandom(11)} by Box-Muller with StrictMath, so both machines regenerate the same
 * bits (the reference file carries hashes to prove it).
 *
 * <p>The check mode must not touch libtorch: the CPU backend is only opened (through
 * {@link Backends}) in reference mode.
 */
public final class CudaForwardCheck {
    static final double TOLERANCE = 1e-4;
    static final long WEIGHT_SEED = 7;
    static final long INPUT_SEED = 11;
    static final List<String> FIXTURES = List.of("resnet_basic", "vit_tiny");
    static final List<String> PRESETS = List.of("resnet50", "vit_b_16");
    static final long[] PRESET_INPUT = {2, 3, 224, 224};

    private CudaForwardCheck() {
    }

    /** One model with its weights and input; golden logits for the fixtures, else null. */
    record Case(String name, Graph graph, Map<String, HostTensor> weights, HostTensor input, HostTensor golden) {
        String weightsHash() {
            return hashWeights(weights);
        }

        String inputHash() {
            return hash(input);
        }
    }

    public static void main(String[] args) throws Exception {
        // this build's natives in a cache folder of their own, before anything loads them (docs/reliability.md)
        org.relprune.run.Backends.configureNativeCache();
        if (args.length == 3 && args[0].equals("reference")) {
            System.exit(reference(Path.of(args[1]), Path.of(args[2]), System.out));
        } else if (args.length == 3 && args[0].equals("check")) {
            System.exit(check(Path.of(args[1]), Path.of(args[2]), System.out));
        } else if (args.length == 3 && args[0].equals("check-cpu")) {
            // a dry run of the check path with the CPU backend, to test this driver without a GPU
            try (Backend cpu = Backends.open("cpu", System.out)) {
                System.exit(checkAll(cpu, Path.of(args[1]), Path.of(args[2]), System.out));
            }
        } else {
            System.err.println("usage: CudaForwardCheck reference OUT_DIR FIXTURE_DIR   (CPU references)\n"
                    + "       CudaForwardCheck check REF_DIR FIXTURE_DIR       (compare the CUDA backend with them)\n"
                    + "       CudaForwardCheck check-cpu REF_DIR FIXTURE_DIR   (the same with the CPU backend: tests this driver)");
            System.exit(2);
        }
    }

    static List<String> caseNames() {
        List<String> names = new ArrayList<>(FIXTURES);
        names.addAll(PRESETS);
        return names;
    }

    static Case load(String name, Path fixtures) throws IOException {
        if (FIXTURES.contains(name)) {
            Graph graph = ModelZoo.resolve(fixtures.resolve(name + ".json").toString());
            Map<String, HostTensor> weights = WeightFiles.read(fixtures.resolve(name + ".model.safetensors"));
            try (SafetensorsReader r = SafetensorsReader.open(fixtures.resolve(name + ".golden.safetensors"))) {
                return new Case(name, graph, weights, r.readFloat("input"), r.readFloat("logits"));
            }
        }
        Graph graph = ModelZoo.resolve(name);
        return new Case(name, graph, RandomWeights.generate(graph, WEIGHT_SEED), gaussian(INPUT_SEED, PRESET_INPUT), null);
    }

    /** N(0,1) values from SplittableRandom(seed) by Box-Muller; StrictMath makes them bit-identical everywhere. */
    static HostTensor gaussian(long seed, long... dims) {
        SplittableRandom rng = new SplittableRandom(seed);
        Shape shape = Shape.of(dims);
        float[] v = new float[shape.numelInt()];
        for (int i = 0; i < v.length; i++) {
            double u1 = 1.0 - rng.nextDouble();
            double u2 = rng.nextDouble();
            v[i] = (float) (StrictMath.sqrt(-2.0 * StrictMath.log(u1)) * StrictMath.cos(2 * StrictMath.PI * u2));
        }
        return new HostTensor(shape, v);
    }

    // ---- reference mode (CPU) ---------------------------------------------------------------

    static int reference(Path out, Path fixtures, PrintStream log) throws IOException {
        Files.createDirectories(out);
        int worse = 0;
        try (Backend cpu = Backends.open("cpu", log)) {
            log.println("reference backend: " + cpu.description());
            for (String name : caseNames()) {
                Case c = load(name, fixtures);
                long t0 = System.nanoTime();
                HostTensor logits = forward(cpu, c);
                double ms = (System.nanoTime() - t0) / 1e6;
                Map<String, String> meta = new LinkedHashMap<>();
                meta.put("case", name);
                meta.put("backend", cpu.description());
                meta.put("weights_hash", c.weightsHash());
                meta.put("input_hash", c.inputHash());
                meta.put("input_shape", c.input().shape().toString());
                SafetensorsWriter.write(out.resolve(name + ".reference.safetensors"), Map.of("logits", logits), meta);
                String golden = "";
                if (c.golden() != null) {
                    double g = relativeL2(logits.data(), c.golden().data());
                    golden = String.format(Locale.ROOT, ", vs golden %.2e", g);
                    if (!(g <= TOLERANCE)) {
                        worse++;
                        golden += " (ABOVE " + TOLERANCE + ": the CPU backend itself disagrees with the fixture)";
                    }
                }
                log.printf(Locale.ROOT, "reference %-13s logits %s in %.1f ms%s%n", name, logits.shape(), ms, golden);
            }
        }
        return worse == 0 ? 0 : 1;
    }

    // ---- check mode (CUDA) ------------------------------------------------------------------

    static int check(Path refs, Path fixtures, PrintStream log) {
        List<String> names = caseNames();
        CudaBackend gpu;
        try {
            gpu = CudaBackend.open();
        } catch (BackendUnavailableException e) {
            log.println("FAIL all cases: " + e.getMessage());
            log.println("0 passed, " + names.size() + " failed");
            return 1;
        }
        try (gpu) {
            return checkAll(gpu, refs, fixtures, log);
        }
    }

    static int checkAll(Backend backend, Path refs, Path fixtures, PrintStream log) {
        int passed = 0;
        int failed = 0;
        log.println("backend: " + backend.description());
        for (String name : caseNames()) {
            try {
                String line = checkOne(backend, name, refs, fixtures);
                boolean ok = line.startsWith("PASS");
                passed += ok ? 1 : 0;
                failed += ok ? 0 : 1;
                log.println(line);
            } catch (Exception | OutOfMemoryError e) {
                failed++;
                log.println("FAIL " + name + ": " + e);
                e.printStackTrace(log);
            }
            log.flush();
        }
        if (backend instanceof CudaBackend gpu) {
            log.printf(Locale.ROOT, "device memory: reserved %.1f MiB at the end%n", gpu.memoryReserved() / 1048576.0);
        }
        log.println(passed + " passed, " + failed + " failed");
        return failed == 0 ? 0 : 1;
    }

    private static String checkOne(Backend backend, String name, Path refs, Path fixtures) throws IOException {
        HostTensor ref;
        Map<String, String> meta;
        try (SafetensorsReader r = SafetensorsReader.open(refs.resolve(name + ".reference.safetensors"))) {
            ref = r.readFloat("logits");
            meta = r.metadata();
        }
        Case c = load(name, fixtures);
        String wh = c.weightsHash();
        String ih = c.inputHash();
        if (!wh.equals(meta.get("weights_hash")) || !ih.equals(meta.get("input_hash"))) {
            return "FAIL " + name + ": the regenerated weights/input differ from the reference run (weights " + wh + " vs "
                    + meta.get("weights_hash") + ", input " + ih + " vs " + meta.get("input_hash") + ")";
        }
        CudaBackend gpu = backend instanceof CudaBackend g ? g : null;
        if (gpu != null) {
            gpu.resetPeakMemory();
        }
        HostTensor logits;
        double first;
        double again;
        try (Model model = Model.load(c.graph(), c.weights(), backend)) {
            long t0 = System.nanoTime();
            logits = run(backend, model, c.input()); // includes choosing the cuDNN algorithms
            long t1 = System.nanoTime();
            run(backend, model, c.input());
            long t2 = System.nanoTime();
            first = (t1 - t0) / 1e6;
            again = (t2 - t1) / 1e6;
        }
        return format(name, logits, ref, c.golden(), first, again, gpu == null ? -1 : gpu.peakMemoryInUse());
    }

    private static HostTensor run(Backend b, Model model, HostTensor input) {
        try (TensorScope scope = TensorScope.open()) {
            Tensor x = b.upload(input);
            return b.download(model.forward(x));
        }
    }

    private static String format(String name, HostTensor got, HostTensor ref, HostTensor golden, double first, double again,
            long peakBytes) {
        if (!got.shape().equals(ref.shape())) {
            return "FAIL " + name + ": logits " + got.shape() + " but the reference has " + ref.shape();
        }
        double err = relativeL2(got.data(), ref.data());
        boolean ok = err <= TOLERANCE;
        String g = "";
        if (golden != null) {
            double eg = relativeL2(got.data(), golden.data());
            ok &= eg <= TOLERANCE;
            g = String.format(Locale.ROOT, "  vs golden %.2e", eg);
        }
        return String.format(Locale.ROOT,
                "%s %-13s rel_l2 %.2e (worst sample %.2e, max |d| %.2e)%s  logits %s  forward %.1f ms first, %.1f ms again%s",
                ok ? "PASS" : "FAIL", name, err, worstSample(got, ref), maxAbs(got.data(), ref.data()), g, got.shape(), first, again,
                peakBytes < 0 ? "" : String.format(Locale.ROOT, "  device peak %.0f MiB", peakBytes / 1048576.0));
    }

    private static HostTensor forward(Backend b, Case c) {
        try (Model model = Model.load(c.graph(), c.weights(), b)) {
            return run(b, model, c.input());
        }
    }

    // ---- numbers -----------------------------------------------------------------------------

    static double relativeL2(float[] got, float[] ref) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < ref.length; i++) {
            double d = (double) got[i] - ref[i];
            num += d * d;
            den += (double) ref[i] * ref[i];
        }
        if (Double.isNaN(num)) {
            return Double.NaN;
        }
        return den == 0 ? (num == 0 ? 0 : Double.POSITIVE_INFINITY) : Math.sqrt(num / den);
    }

    static double worstSample(HostTensor got, HostTensor ref) {
        int rows = (int) ref.shape().dim(0);
        int per = rows == 0 ? 0 : ref.data().length / rows;
        double worst = 0;
        for (int r = 0; r < rows; r++) {
            float[] a = java.util.Arrays.copyOfRange(got.data(), r * per, (r + 1) * per);
            float[] b = java.util.Arrays.copyOfRange(ref.data(), r * per, (r + 1) * per);
            double e = relativeL2(a, b);
            worst = Double.isNaN(e) ? e : Math.max(worst, e);
        }
        return worst;
    }

    static double maxAbs(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs((double) a[i] - b[i]));
        }
        return m;
    }

    /** FNV-1a over the shape and the float bits. */
    static String hash(HostTensor t) {
        long h = 0xcbf29ce484222325L;
        h = mix(h, t.shape().rank());
        for (long d : t.shape().dims()) {
            h = mix(h, d);
        }
        for (float v : t.data()) {
            h = mix(h, Float.floatToRawIntBits(v));
        }
        return Long.toHexString(h);
    }

    static String hashWeights(Map<String, HostTensor> weights) {
        long h = 0xcbf29ce484222325L;
        for (Map.Entry<String, HostTensor> e : new TreeMap<>(weights).entrySet()) {
            for (char ch : e.getKey().toCharArray()) {
                h = mix(h, ch);
            }
            h = mix(h, Long.parseUnsignedLong(hash(e.getValue()), 16));
        }
        return Long.toHexString(h);
    }

    private static long mix(long h, long v) {
        for (int i = 0; i < 8; i++) {
            h ^= (v >>> (8 * i)) & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }
}
