package org.relprune.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.relprune.backend.LrpOps.CombineTerm.Factor;
import org.relprune.backend.LrpOps.CombineTerm;
import org.relprune.backend.LrpOps.Mask;
import org.relprune.backend.LrpOps.SignalSpec;
import org.relprune.backend.LrpOps.Signals;
import org.relprune.backend.LrpOps;
import org.relprune.backend.Pool2dSpec;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Shape;
import org.relprune.tensor.Tensor;
import org.relprune.tensor.TensorScope;

/**
 * The fused native LRP stages (native/src/cpu/lrp.cpp, through {@link NativeLrpOps}) against the
 * same stages written as libtorch expressions ({@link TorchLrpOps}) and, for max pooling,
 * libtorch's own max_pool2d indices. The kernels' float64 references are in native/tests.
 */
class NativeLrpOpsTest {
    private static CpuBackend backend;
    private static final LrpOps NATIVE = new NativeLrpOps();
    private static final LrpOps TORCH = new TorchLrpOps();

    @BeforeAll
    static void open() {
        backend = new CpuBackend();
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    private static Tensor random(SplittableRandom rng, Shape s, double lo, double hi) {
        float[] v = new float[s.numelInt()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rng.nextDouble(lo, hi);
        }
        return backend.upload(new HostTensor(s, v));
    }

    private static void assertClose(Tensor expected, Tensor actual, double rtol, String what) {
        HostTensor e = backend.download(expected);
        HostTensor a = backend.download(actual);
        assertEquals(e.shape(), a.shape(), what + ": shape");
        double scale = 0;
        for (float v : e.data()) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < e.data().length; i++) {
            double d = Math.abs(e.data()[i] - a.data()[i]);
            if (d > 1e-6 + rtol * Math.abs(e.data()[i])) {
                throw new AssertionError(what + ": element " + i + " torch " + e.data()[i] + " native " + a.data()[i] + " (max |torch| " + scale + ")");
            }
        }
    }

    private static SignalSpec spec(double coef, Mask mask, double cz, double cu, double cb, double cbp, double cbn, double cOff, double eps) {
        return SignalSpec.of(coef, mask, cz, cu, cb, cbp, cbn, cOff, eps);
    }

    /** The signal sets of the rules: epsilon, z+, alpha2-beta1, gamma 0.25, z-box, flat. */
    private static final List<List<SignalSpec>> RULES = List.of(
            List.of(spec(1, Mask.ALL, 1, 0, 0, 0, 0, 0, 0.25)),
            List.of(spec(1, Mask.ALL, 0, 1, 0, 1, 0, 0, 1e-6)),
            List.of(spec(2, Mask.ALL, 0, 1, 0, 1, 0, 0, 1e-6), spec(-1, Mask.ALL, 1, -1, -1, 0, 1, 0, 1e-6)),
            List.of(spec(1, Mask.POSITIVE, 1, 0.25, 0, 0.25, 0, 0, 1e-6), spec(1, Mask.NEGATIVE, 1.25, -0.25, -0.25, 0, 0.25, 0, 1e-6)),
            List.of(spec(1, Mask.ALL, 1, 0, -1, 0, 0, -1, 1e-6)),
            List.of(spec(1, Mask.ALL, 0, 0, 0, 0, 0, 1, 1e-6)));

    /** Layouts: conv [n, c, h, w] (axis 1, spatial read-outs), tokens [b, t, d] (axis -1, token read-outs), dense [b, d]. */
    private record Layout(Shape shape, int axis, int group) {
    }

    private static final List<Layout> LAYOUTS = List.of(
            new Layout(Shape.of(2, 5, 7, 3), 1, 1),
            new Layout(Shape.of(3, 9, 33), -1, 9),
            new Layout(Shape.of(4, 17), -1, 1),
            new Layout(Shape.of(1, 1, 1, 1), 1, 1));

    @Test
    void signalsAndReadoutsMatchTheLibtorchExpressions() {
        SplittableRandom rng = new SplittableRandom(11);
        for (Layout l : LAYOUTS) {
            long features = l.shape().dim(l.axis());
            for (List<SignalSpec> rule : RULES) {
                for (boolean withBias : new boolean[] {false, true}) {
                    try (TensorScope scope = TensorScope.open()) {
                        Tensor r = random(rng, l.shape(), -2, 2);
                        Tensor z = random(rng, l.shape(), -3, 3);
                        Tensor u = random(rng, l.shape(), 0, 4);
                        Tensor offset = random(rng, l.shape(), -1, 1);
                        Tensor bias = withBias ? random(rng, Shape.of(features), -1, 1) : null;
                        String what = rule + " on " + l + (withBias ? " with bias" : "");
                        Signals want = TORCH.signals(r, z, u, bias, offset, rule, l.axis(), l.group());
                        Signals got = NATIVE.signals(r, z, u, bias, offset, rule, l.axis(), l.group());
                        assertClose(want.stacked(), got.stacked(), 1e-5, what + " signals");
                        assertClose(want.sums(), got.sums(), 1e-5, what + " sums");
                        assertClose(want.absSums(), got.absSums(), 1e-5, what + " |R| sums");
                        Signals bare = NATIVE.signals(r, z, u, bias, offset, rule, l.axis(), 0);
                        assertNull(bare.sums(), "no read-out asked for");
                        assertClose(want.stacked(), bare.stacked(), 1e-5, what + " signals without read-outs");
                    }
                }
            }
        }
    }

    @Test
    void combineMatchesTheLibtorchExpressions() {
        SplittableRandom rng = new SplittableRandom(12);
        List<List<CombineTerm>> termSets = List.of(
                List.of(new CombineTerm(Factor.X, 1)),
                List.of(new CombineTerm(Factor.X_POS, 1), new CombineTerm(Factor.X_NEG, 1)),
                List.of(new CombineTerm(Factor.X, 1), new CombineTerm(Factor.CONSTANT, 3), new CombineTerm(Factor.CONSTANT, -3)),
                List.of(new CombineTerm(Factor.CONSTANT, 1)));
        for (Layout l : LAYOUTS) {
            for (List<CombineTerm> terms : termSets) {
                try (TensorScope scope = TensorScope.open()) {
                    Tensor x = random(rng, l.shape(), -2, 2);
                    long[] stacked = l.shape().dims();
                    int a = l.axis() < 0 ? stacked.length + l.axis() : l.axis();
                    stacked[a] *= terms.size();
                    Tensor g = random(rng, Shape.of(stacked), -1, 1);
                    assertClose(TORCH.combine(g, x, terms, l.axis()), NATIVE.combine(g, x, terms, l.axis()), 1e-5, terms + " on " + l);
                }
            }
        }
    }

    @Test
    void ratiosMatchIncludingZeroDenominators() {
        SplittableRandom rng = new SplittableRandom(13);
        try (TensorScope scope = TensorScope.open()) {
            Shape s = Shape.of(3, 4, 5);
            Tensor num = random(rng, s, -1, 1);
            float[] d = backend.download(random(rng, s, -2, 2)).data();
            d[0] = 0f; // sgn(0) = +1
            Tensor den = backend.upload(new HostTensor(s, d));
            Tensor x = random(rng, s, -1, 1);
            for (double eps : new double[] {0.25, 1e-6}) {
                assertClose(TORCH.ratio(num, den, x, eps), NATIVE.ratio(num, den, x, eps), 1e-5, "ratio eps " + eps);
                assertClose(TORCH.stabilizedDivide(num, den, eps), NATIVE.stabilizedDivide(num, den, eps), 1e-5, "divide eps " + eps);
            }
        }
    }

    @Test
    void maxPoolWinnersMatchLibtorchIndicesWithTies() {
        SplittableRandom rng = new SplittableRandom(14);
        Pool2dSpec[] specs = {new Pool2dSpec(3, 3, 2, 2, 1, 1), new Pool2dSpec(2, 2, 2, 2, 0, 0), new Pool2dSpec(3, 2, 1, 2, 1, 0)};
        for (Pool2dSpec spec : specs) {
            try (TensorScope scope = TensorScope.open()) {
                Shape xs = Shape.of(2, 3, 9, 8);
                float[] v = new float[xs.numelInt()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = rng.nextInt(-3, 2) - 0.5f; // coarse grid: ties in most windows; all < 0 so padding never wins
                }
                Tensor x = backend.upload(new HostTensor(xs, v));
                Shape ys = Shape.of(2, 3, spec.outH(9), spec.outW(8));
                Tensor r = random(rng, ys, -1, 1);
                assertClose(TORCH.maxPoolWinners(r, x, spec), NATIVE.maxPoolWinners(r, x, spec), 1e-6, "max pool winners " + spec);
            }
        }
    }

    @Test
    void mismatchedShapesAreClearErrors() {
        try (TensorScope scope = TensorScope.open()) {
            Tensor z = backend.upload(new HostTensor(Shape.of(2, 3), new float[6]));
            Tensor r = backend.upload(new HostTensor(Shape.of(2, 4), new float[8]));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> NATIVE.signals(r, z, null, null, null, RULES.get(0), -1, 0));
            assertTrue(e.getMessage().contains("relevance"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> NATIVE.signals(z, z, null, null, null, RULES.get(0), -1, 4));
            assertTrue(e.getMessage().contains("read-out group 4"), e.getMessage());
            RuntimeException n = assertThrows(org.relprune.backend.jni.NativeKernelException.class,
                    () -> NATIVE.signals(z, z, null, null, null, RULES.get(1), -1, 0));
            assertTrue(n.getMessage().contains("rp_lrp_signals_cpu") && n.getMessage().contains("u is NULL"), n.getMessage());
        }
    }

    @Test
    void nonNegativeChecksEveryElement() {
        try (TensorScope scope = TensorScope.open()) {
            assertTrue(NATIVE.nonNegative(backend.upload(HostTensor.of(new float[] {0, 1, 2}, 3))));
            assertEquals(false, NATIVE.nonNegative(backend.upload(HostTensor.of(new float[] {0, 1, -1e-30f}, 3))));
        }
    }

    /** The pool adjoints, the sign split and the sign test against libtorch's gradients and expressions. */
    @Test
    void poolAdjointsSignSplitAndSignTestMatchLibtorch() {
        SplittableRandom rng = new SplittableRandom(77);
        try (TensorScope scope = TensorScope.open()) {
            Shape input = Shape.of(2, 3, 9, 7);
            for (Pool2dSpec spec : List.of(new Pool2dSpec(2, 2, 2, 2, 0, 0), new Pool2dSpec(3, 3, 2, 2, 1, 1), new Pool2dSpec(3, 2, 1, 2, 1, 0))) {
                Shape out = org.relprune.backend.OpShapes.pool2d("test", input, spec);
                Tensor g = random(rng, out, -2, 2);
                assertClose(TORCH.avgPoolAdjoint(g, input, spec), NATIVE.avgPoolAdjoint(g, input, spec), 1e-5, "avg pool adjoint " + spec);
            }
            for (long[] o : new long[][] {{1, 1}, {3, 3}, {4, 2}, {9, 7}}) {
                Tensor g = random(rng, Shape.of(2, 3, o[0], o[1]), -2, 2);
                assertClose(TORCH.adaptiveAvgPoolAdjoint(g, input), NATIVE.adaptiveAvgPoolAdjoint(g, input), 1e-5,
                        "adaptive pool adjoint to " + o[0] + "x" + o[1]);
            }
            Tensor x = random(rng, Shape.of(2, 5, 4, 3), -1, 1);
            assertClose(TORCH.splitSigns(x, 1), NATIVE.splitSigns(x, 1), 0, "split signs, channels");
            Tensor tokens = random(rng, Shape.of(2, 4, 6), -1, 1);
            assertClose(TORCH.splitSigns(tokens, -1), NATIVE.splitSigns(tokens, -1), 0, "split signs, last axis");
            assertTrue(!NATIVE.nonNegative(x) && !TORCH.nonNegative(x), "signed values");
            Tensor pos = random(rng, Shape.of(3, 4), 0, 1);
            assertTrue(NATIVE.nonNegative(pos) && TORCH.nonNegative(pos), "non-negative values");
        }
    }

    /** The ViT steps on native kernels against their libtorch expressions. */
    @Test
    void layerNormAndPatchGridMatchLibtorch() {
        SplittableRandom rng = new SplittableRandom(78);
        try (TensorScope scope = TensorScope.open()) {
            Tensor x = random(rng, Shape.of(2, 5, 16), -2, 3);
            Tensor gamma = random(rng, Shape.of(16), 0.5, 1.5);
            Tensor g = random(rng, Shape.of(2, 5, 16), -1, 1);
            Tensor st = TORCH.layerNormScale(x, gamma, 1e-6f);
            assertClose(st, NATIVE.layerNormScale(x, gamma, 1e-6f), 1e-5, "LayerNorm scale");
            assertClose(TORCH.layerNormAdjoint(g, st), NATIVE.layerNormAdjoint(g, st), 1e-5, "LayerNorm adjoint");
            Tensor tokens = random(rng, Shape.of(2, 1 + 12, 8), -1, 1);
            Shape grid = Shape.of(2, 8, 3, 4);
            assertClose(TORCH.tokensToPatchGrid(tokens, grid), NATIVE.tokensToPatchGrid(tokens, grid), 0, "tokens to patch grid");
        }
    }
}
