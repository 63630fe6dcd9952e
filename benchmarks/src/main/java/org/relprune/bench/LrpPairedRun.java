package org.relprune.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The LRP speed goals as paired ratios: each round times libtorch's forward + input-gradient and
 * the LRP variants of {@link LrpBenchmark} back to back (order rotated per round) in one JVM, so
 * that drift on a shared machine hits both sides of every ratio alike. Prints per-variant medians
 * and the median over rounds of (variant / baseline) for the same round.
 * <p>
 * Run: {@code GOMP_SPINCOUNT=0 java -cp benchmarks/target/benchmarks.jar org.relprune.bench.LrpPairedRun [rounds]}
 */
public final class LrpPairedRun {
    private LrpPairedRun() {
    }

    public static void main(String[] args) {
        // this build's natives in a cache folder of their own, before anything loads them (docs/reliability.md)
        org.relprune.run.Backends.configureNativeCache();
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        LrpBenchmark b = new LrpBenchmark();
        b.setUp();
        Map<String, Supplier<Float>> cases = new LinkedHashMap<>();
        cases.put("torch forward + input-gradient", b::torchForwardInputGradient);
        cases.put("LRP epsilon (forward + LRP)", b::lrpEpsilon);
        cases.put("LRP epsilon_gamma_box (forward + LRP)", b::lrpEpsilonGammaBox);
        cases.put("LRP epsilon, cached batch (no forward)", b::lrpEpsilonOnCachedBatch);
        List<String> names = new ArrayList<>(cases.keySet());
        // warm-up: JIT, libtorch's kernel selection, the allocators
        for (int w = 0; w < 3; w++) {
            cases.values().forEach(Supplier::get);
        }
        double[][] ms = new double[names.size()][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < names.size(); k++) {
                int c = (k + r) % names.size();
                long t0 = System.nanoTime();
                cases.get(names.get(c)).get();
                ms[c][r] = (System.nanoTime() - t0) / 1e6;
            }
        }
        String description = b.description();
        b.tearDown();
        System.out.printf("ResNet-18, 224x224, batch 8, CPU (%d threads), %d paired rounds%n", Runtime.getRuntime().availableProcessors(), rounds);
        System.out.printf("%-42s %12s %12s%n", "case", "median ms", "x baseline");
        StringBuilder json = new StringBuilder("{\"rounds\": " + rounds + ", \"backend\": \"" + description.replace("\"", "'") + "\", \"cases\": {");
        for (int c = 0; c < names.size(); c++) {
            double[] ratio = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                ratio[r] = ms[c][r] / ms[0][r];
            }
            System.out.printf("%-42s %12.1f %12.2f%n", names.get(c), median(ms[c]), median(ratio));
            json.append(c == 0 ? "" : ", ").append(String.format(java.util.Locale.ROOT, "\"%s\": {\"median_ms\": %.2f, \"ratio_to_baseline\": %.4f}",
                    KEYS[c], median(ms[c]), median(ratio)));
        }
        // one machine-readable line, for benchmarks/trial/run.sh
        System.out.println("JSON " + json.append("}}"));
    }

    /** JSON keys of the cases, in order. */
    private static final String[] KEYS = {"fwd_grad", "epsilon", "epsilon_gamma_box", "epsilon_cached"};

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
