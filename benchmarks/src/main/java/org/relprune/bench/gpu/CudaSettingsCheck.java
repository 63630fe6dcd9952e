package org.relprune.bench.gpu;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.relprune.backend.cuda.CudaBackend;
import org.relprune.backend.cuda.CudaOutOfMemoryException;
import org.relprune.backend.cuda.CudaPrecision;
import org.relprune.lrp.Attributor;
import org.relprune.lrp.composite.Composite;
import org.relprune.lrp.composite.Composites;
import org.relprune.model.Graph;
import org.relprune.model.Model;
import org.relprune.model.RandomWeights;
import org.relprune.model.zoo.ModelZoo;
import org.relprune.prune.ComponentKind;
import org.relprune.prune.Components;
import org.relprune.prune.LrpCriterion;
import org.relprune.prune.PrunableLayer;
import org.relprune.prune.ReferenceSet;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.TensorScope;

/**
 * On the CUDA machine (no CPU backend there): the backend's settings that the unit tests check
 * only where a GPU and libtorch meet. Prints one PASS / FAIL line per check and exits 1 on any
 * failure.
 *
 * <ol>
 *   <li>PyTorch's defaults keep matrix products in fp32: a [64, 768] x [768, 512] linear layer
 *       under {@link CudaPrecision#PYTORCH_DEFAULTS} matches the same under
 *       {@link CudaPrecision#FP32} to |d| &lt;= 1e-5 + 1e-4 |ref| (TF32 would be off by about 1e-3).</li>
 *   <li>Out-of-memory splitting: ResNet-20 LRP pruning scores of 16 images in batches of 16 under
 *       a memory limit that refuses batch 16 (checked) equal the unlimited run's to 1e-4.</li>
 * </ol>
 */
public final class CudaSettingsCheck {
    private CudaSettingsCheck() {
    }

    public static void main(String[] args) {
        // this build's natives in a cache folder of their own, before anything loads them (docs/reliability.md)
        org.relprune.run.Backends.configureNativeCache();
        PrintStream log = System.out;
        int failed = 0;
        failed += check(log, "linear under PYTORCH_DEFAULTS stays fp32", CudaSettingsCheck::matrixProductsStayFp32);
        failed += check(log, "LRP scores split on device out-of-memory", CudaSettingsCheck::outOfMemorySplits);
        log.println((2 - failed) + " passed, " + failed + " failed (CUDA settings)");
        System.exit(failed == 0 ? 0 : 1);
    }

    private static int check(PrintStream log, String what, java.util.function.Supplier<String> body) {
        try {
            String failure = body.get();
            log.println((failure == null ? "PASS " : "FAIL ") + what + (failure == null ? "" : ": " + failure));
            return failure == null ? 0 : 1;
        } catch (RuntimeException e) {
            log.println("FAIL " + what + ": " + e);
            return 1;
        }
    }

    private static String matrixProductsStayFp32() {
        HostTensor x = CudaForwardCheck.gaussian(30, 64, 768);
        HostTensor w = CudaForwardCheck.gaussian(31, 512, 768);
        for (int i = 0; i < w.data().length; i++) {
            w.data()[i] /= (float) Math.sqrt(768);
        }
        float[] ref;
        float[] got;
        try (CudaBackend fp32 = CudaBackend.open(); TensorScope s = TensorScope.open()) {
            ref = fp32.download(fp32.linear(fp32.upload(x), fp32.upload(w), null)).data();
        }
        try (CudaBackend mixed = CudaBackend.open(CudaPrecision.PYTORCH_DEFAULTS); TensorScope s = TensorScope.open()) {
            got = mixed.download(mixed.linear(mixed.upload(x), mixed.upload(w), null)).data();
        }
        for (int i = 0; i < ref.length; i++) {
            double d = Math.abs((double) got[i] - ref[i]);
            if (!(d <= 1e-5 + 1e-4 * Math.abs(ref[i]))) {
                return String.format(Locale.ROOT, "element %d: %g vs fp32 %g", i, got[i], ref[i]);
            }
        }
        return null;
    }

    private static String outOfMemorySplits() {
        Graph g = ModelZoo.resolve("resnet20");
        Map<String, HostTensor> weights = RandomWeights.generate(g, 12);
        HostTensor x = CudaForwardCheck.gaussian(40, 16, 3, 32, 32);
        int[] labels = new int[16];
        Arrays.setAll(labels, i -> (i * 7) % 10);
        ReferenceSet ref = new ReferenceSet(x, labels);
        List<PrunableLayer> layers = Components.of(g, ComponentKind.CHANNELS);
        Composite composite = Composites.named("epsilon_plus");
        try (CudaBackend gpu = CudaBackend.open(); Model m = Model.load(g, weights, gpu)) {
            gpu.resetPeakMemory();
            new LrpCriterion(composite, false, false, Attributor.Start.ONE_HOT, 2).score(m, layers, ref);
            long peak2 = gpu.peakMemoryInUse();
            gpu.resetPeakMemory();
            List<double[]> expected = new LrpCriterion(composite, false, false, Attributor.Start.ONE_HOT, 16).score(m, layers, ref);
            long peak16 = gpu.peakMemoryInUse();
            long limit = peak2 + (peak16 - peak2) / 4;
            gpu.setMemoryLimit(limit);
            try (TensorScope s = TensorScope.open(); Attributor a = new Attributor(m, gpu.upload(x))) {
                a.explain(composite, labels);
                return "the limit " + limit + " bytes did not refuse batch 16 (peak " + peak16 + ")";
            } catch (CudaOutOfMemoryException expectedFailure) {
                // the whole batch does not fit: the criterion must split it
            }
            List<double[]> got = new LrpCriterion(composite, false, false, Attributor.Start.ONE_HOT, 16).score(m, layers, ref);
            for (int l = 0; l < layers.size(); l++) {
                for (int c = 0; c < layers.get(l).count(); c++) {
                    double e = expected.get(l)[c];
                    if (!(Math.abs(got.get(l)[c] - e) <= 1e-6 + 1e-4 * Math.abs(e))) {
                        return layers.get(l).layer() + " channel " + c + ": " + got.get(l)[c] + " split vs " + e + " whole";
                    }
                }
            }
        }
        return null;
    }
}
