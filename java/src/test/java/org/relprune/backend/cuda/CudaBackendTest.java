package org.relprune.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonParser;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.relprune.backend.Backend;
import org.relprune.backend.BackendUnavailableException;
import org.relprune.backend.Conv2dSpec;
import org.relprune.backend.Pool2dSpec;
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
 * The CUDA backend against the CPU backend. Without a CUDA device only the first test runs (it
 * checks that opening fails with a clear BackendUnavailableException); the others are skipped
 * with "no CUDA device: CUDA tests not run".
 */
class CudaBackendTest {
    private static CudaBackend gpu;
    private static BackendUnavailableException unavailable;
    private static Backend cpu;

    @BeforeAll
    static void openBackends() {
        try {
            gpu = CudaBackend.open();
        } catch (BackendUnavailableException e) {
            unavailable = e;
        }
        if (gpu != null) {
            cpu = new CpuBackend();
        }
    }

    @AfterAll
    static void closeBackends() {
        if (gpu != null) {
            gpu.close();
        }
        if (cpu != null) {
            cpu.close();
        }
    }

    private static void requireGpu() {
        Assumptions.assumeTrue(gpu != null, "no CUDA device: CUDA tests not run");
    }

    @Test
    void unavailableIsReportedClearlyOrTheDeviceIsDescribed() {
        if (gpu == null) {
            assertTrue(unavailable.getMessage().startsWith("CUDA backend unavailable"), unavailable.getMessage());
            // a second attempt (classes already failed to initialize) reports the same way
            BackendUnavailableException again = assertThrows(BackendUnavailableException.class, CudaBackend::open);
            assertTrue(again.getMessage().startsWith("CUDA backend unavailable"), again.getMessage());
            BackendUnavailableException tf32 = assertThrows(BackendUnavailableException.class, () -> CudaBackend.open(CudaPrecision.TF32));
            assertTrue(tf32.getMessage().startsWith("CUDA backend unavailable"), tf32.getMessage());
        } else {
            String d = gpu.description();
            assertTrue(d.startsWith("cuda (") && d.contains(", cc ") && d.contains("cuDNN ") && d.endsWith(", fp32)"), d);
        }
    }

    @Test
    void loadFailuresAreShortenedToTheLinkerMessage() {
        UnsatisfiedLinkError inner = new UnsatisfiedLinkError(
                "/root/.javacpp/cache/cuda.jar/org/bytedeco/cuda/linux-x86_64/libjnicudart.so: libcuda.so.1: cannot open shared object file: No such file or directory");
        UnsatisfiedLinkError outer = new UnsatisfiedLinkError("no jnicudart in java.library.path: /usr/lib:/lib");
        outer.initCause(inner);
        assertEquals("UnsatisfiedLinkError: libcuda.so.1: cannot open shared object file: No such file or directory"
                + " (no NVIDIA driver on this machine)", CudaBackend.brief(outer));
        assertEquals("UnsatisfiedLinkError: no jnicudart in java.library.path",
                CudaBackend.brief(new UnsatisfiedLinkError("no jnicudart in java.library.path: /a:/b")));
        assertEquals("NoClassDefFoundError", CudaBackend.brief(new NoClassDefFoundError()));
    }

    // ---- helpers -------------------------------------------------------------------------

    private static HostTensor random(long seed, double scale, long... dims) {
        SplittableRandom rng = new SplittableRandom(seed);
        Shape s = Shape.of(dims);
        float[] v = new float[s.numelInt()];
        for (int i = 0; i < v.length; i++) {
            double u1 = 1.0 - rng.nextDouble();
            double u2 = rng.nextDouble();
            v[i] = (float) (scale * Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
        }
        return new HostTensor(s, v);
    }

    /** Uploads the same host tensor to both backends: [gpu, cpu]. */
    private static Tensor[] both(HostTensor h) {
        return new Tensor[] {gpu.upload(h), cpu.upload(h)};
    }

    /** |gpu - cpu| <= 1e-5 + 1e-4 |cpu| elementwise. */
    private static void assertClose(String what, Tensor g, Tensor c) {
        HostTensor hg = gpu.download(g);
        HostTensor hc = cpu.download(c);
        assertEquals(hc.shape(), hg.shape(), what + ": shape");
        float[] a = hg.data();
        float[] b = hc.data();
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs((double) a[i] - b[i]);
            if (!(d <= 1e-5 + 1e-4 * Math.abs(b[i]))) {
                fail(what + ": element " + i + " of " + hc.shape() + ": cuda " + a[i] + ", cpu " + b[i] + " (|d| = " + d + ")");
            }
        }
    }

    private static double relativeL2(float[] got, float[] ref) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < ref.length; i++) {
            double d = (double) got[i] - ref[i];
            num += d * d;
            den += (double) ref[i] * ref[i];
        }
        return Math.sqrt(num / Math.max(den, 1e-300));
    }

    // ---- memory, views, lifecycle ---------------------------------------------------------

    @Test
    void uploadDownloadRoundTripIsExact() {
        requireGpu();
        try (TensorScope scope = TensorScope.open()) {
            HostTensor h = random(1, 3.0, 3, 5, 7);
            Tensor t = gpu.upload(h);
            assertArrayEquals(h.data(), gpu.download(t).data());
            HostTensor empty = HostTensor.zeros(Shape.of(0, 4));
            assertEquals(Shape.of(0, 4), gpu.download(gpu.upload(empty)).shape());
        }
    }

    @Test
    void reshapeAndSelectAreViewsThatOutliveTheirBase() {
        requireGpu();
        try (TensorScope scope = TensorScope.open()) {
            HostTensor h = random(2, 1.0, 3, 4, 5);
            Tensor base = gpu.upload(h);
            long before = gpu.memoryInUse();
            Tensor flat = gpu.reshape(base, Shape.of(12, 5));
            Tensor second = gpu.select(base, 2);
            Tensor row = gpu.select(flat, 7);
            assertEquals(before, gpu.memoryInUse(), "views allocate nothing");
            base.close();
            assertArrayEquals(Arrays.copyOfRange(h.data(), 40, 60), gpu.download(second).data());
            assertArrayEquals(Arrays.copyOfRange(h.data(), 35, 40), gpu.download(row).data());
            assertEquals(Shape.of(4, 5), second.shape());
            // an op reading a view at an offset
            Tensor r = gpu.relu(second);
            float[] expect = Arrays.copyOfRange(h.data(), 40, 60);
            for (int i = 0; i < expect.length; i++) {
                expect[i] = Math.max(expect[i], 0f);
            }
            assertArrayEquals(expect, gpu.download(r).data());
            assertThrows(IllegalArgumentException.class, () -> gpu.select(flat, 12));
            assertThrows(IllegalArgumentException.class, () -> gpu.reshape(flat, Shape.of(7, 9)));
        }
    }

    @Test
    void repeatedOpsReuseCachedMemory() {
        requireGpu();
        try (TensorScope scope = TensorScope.open()) {
            Tensor x = gpu.upload(random(3, 1.0, 64, 1000));
            gpu.relu(x).close();
            long reserved = gpu.memoryReserved();
            long inUse = gpu.memoryInUse();
            for (int i = 0; i < 10; i++) {
                gpu.relu(x).close();
            }
            assertEquals(reserved, gpu.memoryReserved(), "freed outputs are reused, not cudaMalloc'd again");
            assertEquals(inUse, gpu.memoryInUse());
        }
    }

    @Test
    void outOfMemoryIsAnExceptionAndTheBackendStaysUsable() {
        requireGpu();
        try (TensorScope scope = TensorScope.open()) {
            Tensor a = gpu.upload(random(4, 1.0, 1, 1 << 20, 1));
            Tensor b = gpu.upload(random(5, 1.0, 1, 1, 1 << 18));
            // [1, 2^20, 2^18] floats = 1 TiB
            CudaOutOfMemoryException e = assertThrows(CudaOutOfMemoryException.class, () -> gpu.matmul(a, b, false, 1f));
            assertTrue(e.getMessage().startsWith("CUDA out of memory"), e.getMessage());
            Tensor r = gpu.relu(a);
            assertEquals(1 << 20, gpu.download(r).data().length);
        }
    }

    @Test
    void lrpScoresSplitTheBatchWhenTheDeviceRunsOutOfMemory() {
        requireGpu();
        Graph g = ModelZoo.resolve("resnet20");
        Map<String, HostTensor> w = RandomWeights.generate(g, 12);
        HostTensor x = random(40, 1.0, 16, 3, 32, 32);
        int[] labels = new int[16];
        Arrays.setAll(labels, i -> (i * 7) % 10);
        org.relprune.prune.ReferenceSet ref = new org.relprune.prune.ReferenceSet(x, labels);
        List<org.relprune.prune.PrunableLayer> layers = org.relprune.prune.Components.of(g, org.relprune.prune.ComponentKind.CHANNELS);
        var composite = org.relprune.lrp.composite.Composites.named("epsilon_plus");
        java.util.function.IntFunction<org.relprune.prune.LrpCriterion> criterion =
                batch -> new org.relprune.prune.LrpCriterion(composite, false, false, org.relprune.lrp.Attributor.Start.ONE_HOT, batch);
        List<double[]> expected;
        try (Model mc = Model.load(g, w, cpu)) {
            expected = criterion.apply(16).score(mc, layers, ref);
        }
        try (CudaBackend limited = CudaBackend.open(); Model m = Model.load(g, w, limited)) {
            limited.resetPeakMemory();
            criterion.apply(2).score(m, layers, ref);
            long peak2 = limited.peakMemoryInUse();
            limited.resetPeakMemory();
            criterion.apply(16).score(m, layers, ref);
            long peak16 = limited.peakMemoryInUse();
            assertTrue(peak16 > peak2, "batch 16 needs more memory than batch 2: " + peak16 + " vs " + peak2);
            // room for batches of about 4, not 16
            limited.setMemoryLimit(peak2 + (peak16 - peak2) / 4);
            try (TensorScope scope = TensorScope.open()) {
                assertThrows(CudaOutOfMemoryException.class, () -> {
                    try (org.relprune.lrp.Attributor a = new org.relprune.lrp.Attributor(m, limited.upload(x))) {
                        a.explain(composite, labels);
                    }
                }, "the limit must refuse the whole batch");
            }
            List<double[]> got = criterion.apply(16).score(m, layers, ref);
            for (int l = 0; l < layers.size(); l++) {
                for (int c = 0; c < layers.get(l).count(); c++) {
                    double e = expected.get(l)[c];
                    double d = Math.abs(got.get(l)[c] - e);
                    assertTrue(d <= 1e-6 + 1e-4 * Math.abs(e), layers.get(l).layer() + " channel " + c + ": cuda " + got.get(l)[c] + ", cpu " + e);
                }
            }
            assertTrue(limited.memoryInUse() <= peak2 + (peak16 - peak2) / 4, "within the limit after the run");
        }
    }

    @Test
    void bf16StorageMatchesCpuBitForBit() {
        requireGpu();
        try (TensorScope scope = TensorScope.open()) {
            HostTensor x = random(50, 30.0, 7, 333);
            x.data()[0] = Float.POSITIVE_INFINITY;
            x.data()[1] = Float.MAX_VALUE;
            x.data()[2] = 1f + 0x1p-8f;
            x.data()[3] = Float.NaN;
            x.data()[4] = 0x1p-149f;
            Tensor[] xs = both(x);
            Tensor g = gpu.convert(xs[0], org.relprune.tensor.DType.BF16);
            Tensor c = cpu.convert(xs[1], org.relprune.tensor.DType.BF16);
            assertEquals(x.shape().numel() * 2, gpu.memoryInUse() > 0 ? g.numel() * g.dtype().bytes() : -1);
            float[] gw = gpu.download(gpu.convert(g, org.relprune.tensor.DType.F32)).data();
            float[] cw = cpu.download(cpu.convert(c, org.relprune.tensor.DType.F32)).data();
            for (int i = 0; i < cw.length; i++) {
                assertEquals(Float.floatToRawIntBits(cw[i]), Float.floatToRawIntBits(gw[i]), "element " + i + " (" + x.data()[i] + ")");
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> gpu.relu(g));
            assertTrue(e.getMessage().contains("holds BF16 storage"), e.getMessage());
        }
    }

    @Test
    void useAfterCloseFailsLoudly() {
        requireGpu();
        CudaBackend other = CudaBackend.open();
        Tensor t;
        try (TensorScope scope = TensorScope.open()) {
            t = scope.keep(other.upload(random(6, 1.0, 4, 4)));
            Tensor mine = gpu.upload(random(7, 1.0, 4, 4));
            assertThrows(IllegalArgumentException.class, () -> gpu.add(t, mine), "tensors of another backend are refused");
            Tensor onCpu = cpu.upload(random(7, 1.0, 4, 4));
            assertThrows(IllegalArgumentException.class, () -> gpu.relu(onCpu), "CPU tensors are refused");
        }
        other.close();
        other.close(); // idempotent
        assertThrows(IllegalStateException.class, () -> other.download(t));
        assertThrows(IllegalStateException.class, () -> other.relu(t));
        assertThrows(IllegalStateException.class, () -> other.upload(random(8, 1.0, 2)));
        t.close(); // harmless after the backend closed
        assertThrows(IllegalStateException.class, () -> gpu.relu(t), "a closed tensor");
    }

    // ---- dense operations -----------------------------------------------------------------

    @Test
    void conv2dMatchesCpu() {
        requireGpu();
        record Case(long[] x, long[] w, Conv2dSpec spec, boolean bias) {
        }
        List<Case> cases = List.of(
                new Case(new long[] {2, 3, 17, 19}, new long[] {8, 3, 3, 3}, Conv2dSpec.of(1, 1), true),
                new Case(new long[] {2, 8, 16, 16}, new long[] {16, 8, 1, 1}, Conv2dSpec.of(2, 0), false),
                new Case(new long[] {1, 6, 15, 15}, new long[] {6, 2, 3, 3}, Conv2dSpec.of(2, 1, 3), true),
                new Case(new long[] {2, 8, 9, 9}, new long[] {8, 1, 3, 3}, Conv2dSpec.of(1, 1, 8), false),
                new Case(new long[] {1, 3, 32, 32}, new long[] {16, 3, 7, 7}, Conv2dSpec.of(2, 3), true),
                new Case(new long[] {2, 3, 12, 11}, new long[] {4, 3, 3, 2}, new Conv2dSpec(1, 2, 2, 1, 2, 1, 1), true),
                new Case(new long[] {3, 32, 14, 14}, new long[] {64, 32, 3, 3}, Conv2dSpec.of(1, 1), true));
        int seed = 10;
        for (Case c : cases) {
            try (TensorScope scope = TensorScope.open()) {
                double fanIn = c.w[1] * c.w[2] * c.w[3];
                Tensor[] x = both(random(seed++, 1.0, c.x));
                Tensor[] w = both(random(seed++, Math.sqrt(2.0 / fanIn), c.w));
                Tensor[] b = c.bias ? both(random(seed++, 0.1, c.w[0])) : new Tensor[2];
                String what = "conv2d " + Arrays.toString(c.x) + " * " + Arrays.toString(c.w) + " " + c.spec;
                assertClose(what, gpu.conv2d(x[0], w[0], b[0], c.spec), cpu.conv2d(x[1], w[1], b[1], c.spec));
                int plans = gpu.convolutionPlans();
                assertClose(what + " (cached plan)", gpu.conv2d(x[0], w[0], b[0], c.spec), cpu.conv2d(x[1], w[1], b[1], c.spec));
                assertEquals(plans, gpu.convolutionPlans(), "one plan per shape");
            }
        }
    }

    @Test
    void linearMatchesCpu() {
        requireGpu();
        try (TensorScope scope = TensorScope.open()) {
            Tensor[] w = both(random(20, Math.sqrt(1.0 / 24), 10, 24));
            Tensor[] b = both(random(21, 0.1, 10));
            Tensor[] x3 = both(random(22, 1.0, 2, 5, 24));
            Tensor[] x2 = both(random(23, 1.0, 7, 24));
            Tensor[] x1 = both(random(24, 1.0, 24));
            assertClose("linear 3-d with bias", gpu.linear(x3[0], w[0], b[0]), cpu.linear(x3[1], w[1], b[1]));
            assertClose("linear 2-d", gpu.linear(x2[0], w[0], null), cpu.linear(x2[1], w[1], null));
            assertClose("linear 1-d with bias", gpu.linear(x1[0], w[0], b[0]), cpu.linear(x1[1], w[1], b[1]));
            Tensor[] big = both(random(25, 1.0, 197 * 2, 768));
            Tensor[] wb = both(random(26, Math.sqrt(1.0 / 768), 3072, 768));
            Tensor[] bb = both(random(27, 0.1, 3072));
            assertClose("linear vit-sized", gpu.linear(big[0], wb[0], bb[0]), cpu.linear(big[1], wb[1], bb[1]));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> gpu.linear(x2[0], wb[0], null));
            assertTrue(e.getMessage().startsWith("linear:"), e.getMessage());
        }
    }

    @Test
    void pytorchDefaultsUseTf32OnlyInConvolutions() {
        requireGpu();
        try (CudaBackend mixed = CudaBackend.open(CudaPrecision.PYTORCH_DEFAULTS); TensorScope scope = TensorScope.open()) {
            assertTrue(mixed.description().endsWith(", tf32 convolutions, fp32 matrix products)"), mixed.description());
            // a 768-long dot product in TF32 is off by about 1e-3 of its size: fp32 tolerances catch it
            HostTensor x = random(30, 1.0, 64, 768);
            HostTensor w = random(31, Math.sqrt(1.0 / 768), 512, 768);
            HostTensor got = mixed.download(mixed.linear(mixed.upload(x), mixed.upload(w), null));
            HostTensor ref = cpu.download(cpu.linear(cpu.upload(x), cpu.upload(w), null));
            for (int i = 0; i < ref.data().length; i++) {
                double d = Math.abs((double) got.data()[i] - ref.data()[i]);
                assertTrue(d <= 1e-5 + 1e-4 * Math.abs(ref.data()[i]),
                        "linear under PYTORCH_DEFAULTS, element " + i + ": cuda " + got.data()[i] + ", cpu " + ref.data()[i]);
            }
            HostTensor cx = random(32, 1.0, 2, 64, 14, 14);
            HostTensor cw = random(33, Math.sqrt(2.0 / 576), 64, 64, 3, 3);
            HostTensor conv = mixed.download(mixed.conv2d(mixed.upload(cx), mixed.upload(cw), null, Conv2dSpec.of(1, 1)));
            HostTensor convRef = cpu.download(cpu.conv2d(cpu.upload(cx), cpu.upload(cw), null, Conv2dSpec.of(1, 1)));
            double rel = relativeL2(conv.data(), convRef.data());
            assertTrue(rel < 5e-3, "conv2d under TF32: relative L2 error " + rel);
        }
    }

    @Test
    void matmulMatchesCpu() {
        requireGpu();
        try (TensorScope scope = TensorScope.open()) {
            Tensor[] a = both(random(30, 1.0, 2, 3, 5, 7));
            Tensor[] b = both(random(31, 1.0, 2, 3, 7, 4));
            Tensor[] bt = both(random(32, 1.0, 2, 3, 4, 7));
            assertClose("matmul", gpu.matmul(a[0], b[0], false, 1f), cpu.matmul(a[1], b[1], false, 1f));
            assertClose("matmul b^T alpha", gpu.matmul(a[0], bt[0], true, 0.125f), cpu.matmul(a[1], bt[1], true, 0.125f));
            assertClose("matmul alpha", gpu.matmul(a[0], b[0], false, -2.5f), cpu.matmul(a[1], b[1], false, -2.5f));
            Tensor[] a2 = both(random(33, 1.0, 5, 7));
            Tensor[] b2 = both(random(34, 1.0, 7, 6));
            assertClose("matmul 2-d", gpu.matmul(a2[0], b2[0], false, 1f), cpu.matmul(a2[1], b2[1], false, 1f));
            Tensor[] q = both(random(35, 1.0, 2, 12, 197, 64));
            Tensor[] k = both(random(36, 1.0, 2, 12, 197, 64));
            assertClose("attention scores", gpu.matmul(q[0], k[0], true, 0.125f), cpu.matmul(q[1], k[1], true, 0.125f));
        }
    }

    // ---- our kernels ------------------------------------------------------------------------

    @Test
    void elementwiseMatchCpu() {
        requireGpu();
        try (TensorScope scope = TensorScope.open()) {
            Tensor[] x = both(random(40, 2.0, 3, 7, 11, 13));
            Tensor[] y = both(random(41, 2.0, 3, 7, 11, 13));
            assertClose("relu", gpu.relu(x[0]), cpu.relu(x[1]));
            assertClose("gelu", gpu.gelu(x[0]), cpu.gelu(x[1]));
            assertClose("add", gpu.add(x[0], y[0]), cpu.add(x[1], y[1]));
            Tensor[] odd = both(random(42, 2.0, 3, 1, 11, 13));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> gpu.add(x[0], odd[0]));
            assertTrue(e.getMessage().startsWith("add:"), e.getMessage());
        }
    }

    // ---- LRP stages: the CUDA LrpOps against the CPU one (native kernels and libtorch) ---------

    @Test
    void lrpStagesMatchCpu() {
        requireGpu();
        org.relprune.backend.LrpOps g = gpu.lrp();
        org.relprune.backend.LrpOps c = cpu.lrp();
        try (TensorScope scope = TensorScope.open()) {
            Tensor[] r = both(random(60, 1.0, 3, 6, 9, 7));
            Tensor[] z = both(random(61, 2.0, 3, 6, 9, 7));
            Tensor[] u = both(random(62, 2.0, 3, 6, 9, 7));
            Tensor[] bias = both(random(63, 1.0, 6));
            List<org.relprune.backend.LrpOps.SignalSpec> gammaRule = List.of(
                    org.relprune.backend.LrpOps.SignalSpec.of(1, org.relprune.backend.LrpOps.Mask.POSITIVE, 1, 0.25, 0, 0.25, 0, 0, 1e-6),
                    org.relprune.backend.LrpOps.SignalSpec.of(1, org.relprune.backend.LrpOps.Mask.NEGATIVE, 1.25, -0.25, -0.25, 0, 0.25, 0, 1e-6));
            org.relprune.backend.LrpOps.Signals sg = g.signals(r[0], z[0], u[0], bias[0], null, gammaRule, 1, 1);
            org.relprune.backend.LrpOps.Signals sc = c.signals(r[1], z[1], u[1], bias[1], null, gammaRule, 1, 1);
            assertClose("signals", sg.stacked(), sc.stacked());
            assertClose("signal read-outs", sg.sums(), sc.sums());
            assertClose("signal |R| read-outs", sg.absSums(), sc.absSums());
            List<org.relprune.backend.LrpOps.CombineTerm> terms = List.of(
                    new org.relprune.backend.LrpOps.CombineTerm(org.relprune.backend.LrpOps.CombineTerm.Factor.X_POS, 0),
                    new org.relprune.backend.LrpOps.CombineTerm(org.relprune.backend.LrpOps.CombineTerm.Factor.X_NEG, 0));
            assertClose("combine", g.combine(sg.stacked(), z[0], terms, 1), c.combine(sc.stacked(), z[1], terms, 1));
            assertClose("ratio", g.ratio(r[0], z[0], u[0], 1e-6), c.ratio(r[1], z[1], u[1], 1e-6));
            assertClose("stabilized divide", g.stabilizedDivide(r[0], z[0], 0.25), c.stabilizedDivide(r[1], z[1], 0.25));
            assertClose("multiply", g.multiply(r[0], z[0]), c.multiply(r[1], z[1]));
            assertClose("split signs", g.splitSigns(z[0], 1), c.splitSigns(z[1], 1));
            assertClose("sum per channel", g.sumPerChannel(z[0], true), c.sumPerChannel(z[1], true));
            assertTrue(!g.nonNegative(z[0]) && g.nonNegative(gpu.relu(z[0])), "sign test");
            Pool2dSpec pool = new Pool2dSpec(3, 3, 2, 2, 1, 1);
            Tensor[] pooled = both(random(64, 1.0, 3, 6, 5, 4));
            assertClose("max pool winners", g.maxPoolWinners(pooled[0], z[0], pool), c.maxPoolWinners(pooled[1], z[1], pool));
            assertClose("avg pool adjoint", g.avgPoolAdjoint(pooled[0], z[0].shape(), pool), c.avgPoolAdjoint(pooled[1], z[1].shape(), pool));
            Tensor[] one = both(random(65, 1.0, 3, 6, 1, 1));
            assertClose("adaptive pool adjoint", g.adaptiveAvgPoolAdjoint(one[0], z[0].shape()), c.adaptiveAvgPoolAdjoint(one[1], z[1].shape()));
            Tensor[] w = both(random(66, 0.5, 8, 6, 3, 3));
            Conv2dSpec conv = new Conv2dSpec(2, 2, 1, 1, 1, 1, 1);
            Tensor[] s = both(random(67, 1.0, 3, 8, 5, 4));
            assertClose("conv adjoint (cuDNN backward data)", g.convAdjoint(s[0], w[0], conv, z[0].shape()), c.convAdjoint(s[1], w[1], conv, z[1].shape()));
            Tensor[] lw = both(random(68, 0.5, 10, 7));
            Tensor[] ls = both(random(69, 1.0, 2, 5, 10));
            assertClose("linear adjoint", g.linearAdjoint(ls[0], lw[0]), c.linearAdjoint(ls[1], lw[1]));
            assertClose("concat", g.concat(List.of(w[0], w[0]), 1), c.concat(List.of(w[1], w[1]), 1));
            assertClose("weight part", g.weightPart(w[0], org.relprune.backend.LrpOps.WeightPart.NEGATIVE),
                    c.weightPart(w[1], org.relprune.backend.LrpOps.WeightPart.NEGATIVE));
        }
    }

    @Test
    void vitLrpStagesMatchCpu() {
        requireGpu();
        org.relprune.backend.LrpOps g = gpu.lrp();
        org.relprune.backend.LrpOps c = cpu.lrp();
        try (TensorScope scope = TensorScope.open()) {
            Tensor[] x = both(random(70, 2.0, 2, 5, 12));
            Tensor[] gamma = both(random(71, 1.0, 12));
            Tensor[] grad = both(random(72, 1.0, 2, 5, 12));
            Tensor sg = g.layerNormScale(x[0], gamma[0], 1e-6f);
            Tensor sc = c.layerNormScale(x[1], gamma[1], 1e-6f);
            assertClose("LayerNorm scale", sg, sc);
            assertClose("LayerNorm adjoint", g.layerNormAdjoint(grad[0], sg), c.layerNormAdjoint(grad[1], sc));
            Tensor[] tokens = both(random(73, 1.0, 2, 1 + 6, 4));
            assertClose("tokens to patch grid", g.tokensToPatchGrid(tokens[0], Shape.of(2, 4, 2, 3)), c.tokensToPatchGrid(tokens[1], Shape.of(2, 4, 2, 3)));
            Tensor[] tok = both(random(74, 1.0, 2, 12));
            assertClose("scatter token", g.scatterToken(tok[0], 0, Shape.of(2, 5, 12)), c.scatterToken(tok[1], 0, Shape.of(2, 5, 12)));
            // attention: 2 images, 5 tokens, 3 heads of 4
            Tensor[] qkv = both(random(75, 1.0, 2, 5, 36));
            Tensor[] r = both(random(76, 1.0, 2, 5, 12));
            Tensor[] out = both(random(77, 1.0, 2, 5, 12));
            Tensor ag = g.attentionWeights(qkv[0], 3);
            Tensor ac = c.attentionWeights(qkv[1], 3);
            assertClose("attention weights", ag, ac);
            for (org.relprune.backend.LrpOps.AttentionMode mode : org.relprune.backend.LrpOps.AttentionMode.values()) {
                org.relprune.backend.LrpOps.AttentionRelevance rg = g.attention(qkv[0], ag, out[0], r[0], 3, mode, 1e-6);
                org.relprune.backend.LrpOps.AttentionRelevance rc = c.attention(qkv[1], ac, out[1], r[1], 3, mode, 1e-6);
                assertClose("attention relevance " + mode, rg.qkv(), rc.qkv());
                assertClose("head read-outs " + mode, rg.heads(), rc.heads());
                assertClose("head |read-outs| " + mode, rg.headsAbs(), rc.headsAbs());
            }
        }
    }

    @Test
    void channelMaskMatchesCpu() {
        requireGpu();
        try (TensorScope scope = TensorScope.open()) {
            // 4 masks (rates) x 3 images, 6 channels of 5 x 7; masks of zeros, ones and a factor
            Tensor[] x = both(random(54, 2.0, 12, 6, 5, 7));
            float[] m = new float[4 * 6];
            for (int i = 0; i < m.length; i++) {
                m[i] = i % 3 == 0 ? 0f : i % 5 == 0 ? 0.5f : 1f;
            }
            Tensor[] mask = both(new HostTensor(Shape.of(4, 6), m));
            assertClose("channel mask", gpu.channelMask(x[0], mask[0]), cpu.channelMask(x[1], mask[1]));
            Tensor[] flat = both(random(55, 2.0, 8, 6));
            assertClose("channel mask 2-d", gpu.channelMask(flat[0], mask[0]), cpu.channelMask(flat[1], mask[1]));
        }
    }

    @Test
    void channelAffineMatchesCpu() {
        requireGpu();
        try (TensorScope scope = TensorScope.open()) {
            Tensor[] x = both(random(50, 1.0, 2, 5, 3, 4));
            Tensor[] scale = both(random(51, 1.0, 5));
            Tensor[] shift = both(random(52, 1.0, 5));
            assertClose("affine relu", gpu.channelAffine(x[0], scale[0], shift[0], true), cpu.channelAffine(x[1], scale[1], shift[1], true));
            assertClose("affine", gpu.channelAffine(x[0], scale[0], shift[0], false), cpu.channelAffine(x[1], scale[1], shift[1], false));
            assertClose("affine no scale", gpu.channelAffine(x[0], null, shift[0], false), cpu.channelAffine(x[1], null, shift[1], false));
            assertClose("affine no shift", gpu.channelAffine(x[0], scale[0], null, true), cpu.channelAffine(x[1], scale[1], null, true));
            Tensor[] x2 = both(random(53, 1.0, 6, 5));
            assertClose("affine 2-d", gpu.channelAffine(x2[0], scale[0], shift[0], false), cpu.channelAffine(x2[1], scale[1], shift[1], false));
        }
    }

    @Test
    void normalizationMatchesCpu() {
        requireGpu();
        try (TensorScope scope = TensorScope.open()) {
            Tensor[] x = both(random(60, 3.0, 2, 7, 768));
            Tensor[] g = both(random(61, 1.0, 768));
            Tensor[] b = both(random(62, 0.5, 768));
            assertClose("layerNorm", gpu.layerNorm(x[0], g[0], b[0], 1e-6f), cpu.layerNorm(x[1], g[1], b[1], 1e-6f));
            Tensor[] xs = both(random(63, 1.0, 3, 33));
            Tensor[] gs = both(random(64, 1.0, 33));
            Tensor[] bs = both(random(65, 1.0, 33));
            assertClose("layerNorm narrow", gpu.layerNorm(xs[0], gs[0], bs[0], 1e-5f), cpu.layerNorm(xs[1], gs[1], bs[1], 1e-5f));
            Tensor[] s = both(random(66, 5.0, 2, 3, 197, 197));
            assertClose("softmax", gpu.softmax(s[0]), cpu.softmax(s[1]));
            Tensor[] s2 = both(random(67, 5.0, 4, 7));
            assertClose("softmax narrow", gpu.softmax(s2[0]), cpu.softmax(s2[1]));
        }
    }

    @Test
    void poolingMatchesCpu() {
        requireGpu();
        try (TensorScope scope = TensorScope.open()) {
            Tensor[] x = both(random(70, 1.0, 2, 3, 17, 15));
            for (Pool2dSpec s : List.of(Pool2dSpec.of(3, 2, 1), Pool2dSpec.of(2, 2, 0), new Pool2dSpec(3, 2, 1, 2, 1, 1))) {
                assertClose("maxPool2d " + s, gpu.maxPool2d(x[0], s), cpu.maxPool2d(x[1], s));
                assertClose("avgPool2d " + s, gpu.avgPool2d(x[0], s), cpu.avgPool2d(x[1], s));
            }
            assertClose("adaptiveAvgPool2d 3x4", gpu.adaptiveAvgPool2d(x[0], 3, 4), cpu.adaptiveAvgPool2d(x[1], 3, 4));
            assertClose("adaptiveAvgPool2d 1x1", gpu.adaptiveAvgPool2d(x[0], 1, 1), cpu.adaptiveAvgPool2d(x[1], 1, 1));
            assertClose("adaptiveAvgPool2d 20x7 (upsampling rows)", gpu.adaptiveAvgPool2d(x[0], 20, 7), cpu.adaptiveAvgPool2d(x[1], 20, 7));
        }
    }

    @Test
    void transformerLayoutMatchesCpu() {
        requireGpu();
        try (TensorScope scope = TensorScope.open()) {
            Tensor[] patches = both(random(80, 1.0, 2, 16, 3, 3));
            Tensor[] cls = both(random(81, 1.0, 1, 1, 16));
            Tensor[] pos = both(random(82, 1.0, 1, 10, 16));
            assertClose("vitEmbed", gpu.vitEmbed(patches[0], cls[0], pos[0]), cpu.vitEmbed(patches[1], cls[1], pos[1]));
            Tensor[] qkv = both(random(83, 1.0, 2, 5, 3 * 4 * 6));
            assertClose("splitHeads", gpu.splitHeads(qkv[0], 4), cpu.splitHeads(qkv[1], 4));
            Tensor[] heads = both(random(84, 1.0, 2, 4, 5, 6));
            assertClose("mergeHeads", gpu.mergeHeads(heads[0]), cpu.mergeHeads(heads[1]));
            Tensor[] tokens = both(random(85, 1.0, 2, 5, 16));
            assertClose("selectToken 0", gpu.selectToken(tokens[0], 0), cpu.selectToken(tokens[1], 0));
            assertClose("selectToken 3", gpu.selectToken(tokens[0], 3), cpu.selectToken(tokens[1], 3));
        }
    }

    // ---- whole models ---------------------------------------------------------------------

    @Test
    void modelForwardMatchesCpu() {
        requireGpu();
        List<Graph> graphs = List.of(
                ModelZoo.resolve("resnet20"),
                ModelZoo.build(JsonParser.parseString("{\"family\":\"torchvision.VisionTransformer\",\"image_size\":32,\"patch_size\":8,"
                        + "\"num_layers\":2,\"num_heads\":4,\"hidden_dim\":64,\"mlp_dim\":128,\"num_classes\":10}").getAsJsonObject(), "vit_tiny"),
                ModelZoo.resolve("lenet5"));
        for (Graph g : graphs) {
            Map<String, HostTensor> w = RandomWeights.generate(g, 5);
            long[] dims = new long[g.inputShape().rank() + 1];
            dims[0] = 3;
            System.arraycopy(g.inputShape().dims(), 0, dims, 1, dims.length - 1);
            HostTensor x = random(90, 1.0, dims);
            try (TensorScope scope = TensorScope.open();
                 Model mg = Model.load(g, w, gpu);
                 Model mc = Model.load(g, w, cpu)) {
                float[] lg = gpu.download(mg.forward(gpu.upload(x))).data();
                float[] lc = cpu.download(mc.forward(cpu.upload(x))).data();
                double err = relativeL2(lg, lc);
                assertTrue(err <= 1e-4, g.name() + ": relative L2 error " + err);
            }
        }
    }
}
