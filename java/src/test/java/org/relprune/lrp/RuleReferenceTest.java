package org.relprune.lrp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.relprune.backend.Backend;
import org.relprune.backend.Conv2dSpec;
import org.relprune.backend.cpu.CpuBackend;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Shape;
import org.relprune.tensor.Tensor;
import org.relprune.tensor.TensorScope;

/**
 * Every rule of {@link LinearRelevance} against an independent float64 reference written here
 * with explicit loops over a dense matrix (zennit's test style): a dense layer is its matrix W
 * [out][in]; a convolution is unfolded into the dense matrix that maps the flattened input
 * [cin*h*w] of one sample to the flattened output [cout*oh*ow] (stride and zero padding handled
 * by leaving the padded taps out, so every rule sees exactly the taps the convolution has). The
 * reference then applies the formulas of SPEC.md ("LRP: the rules") to that matrix, per sample:
 * stab(z) = z + eps * sgn(z), sgn(0) = +1.
 *
 * <p>Data are dyadic rationals (weights odd multiples of 1/16, inputs multiples of 1/8 or odd
 * multiples of 1/16, biases odd multiples of 1/256) so that z = W x + b, u = W+ x+ + W- x-, the
 * ZBox offset and every other denominator are exact in float32 as well as in float64: the
 * comparison then tests the rule, not the conditioning of a sum near zero. The half-step bias
 * keeps z away from 0 (|z| >= 1/256); bias-free cases use odd numerators and an odd number of
 * taps for the same purpose. Zero denominators and the sign convention at 0 have their own test.
 */
class RuleReferenceTest {
    private static Backend backend;

    @BeforeAll
    static void open() {
        backend = new CpuBackend();
    }

    @AfterAll
    static void close() {
        if (backend != null) {
            backend.close();
        }
    }

    static final double EPS = Rule.DEFAULT_STABILIZER;

    static List<Rule> rules() {
        return List.of(new Rule.Epsilon(0.25), new Rule.Epsilon(1e-6), new Rule.ZPlus(EPS), new Rule.AlphaBeta(2, 1, EPS),
                new Rule.AlphaBeta(1, 0, EPS), new Rule.Gamma(0.25, EPS), new Rule.Gamma(0, EPS), new Rule.ZBox(-3, 3, EPS),
                new Rule.Flat(EPS), new Rule.WSquare(EPS));
    }

    /** A layer geometry: dense (spec == null, h = w = 1) or a convolution. */
    record Geometry(String label, int n, int cin, int cout, int h, int w, int k, Conv2dSpec spec, boolean bias) {
        boolean conv() {
            return spec != null;
        }

        int oh() {
            return conv() ? (int) Conv2dSpec.outSize(h, k, spec.strideH(), spec.padH(), 1) : 1;
        }

        int ow() {
            return conv() ? (int) Conv2dSpec.outSize(w, k, spec.strideW(), spec.padW(), 1) : 1;
        }

        int inSize() {
            return cin * h * w;
        }

        int outSize() {
            return cout * oh() * ow();
        }

        Shape xShape() {
            return conv() ? Shape.of(n, cin, h, w) : Shape.of(n, cin);
        }

        Shape zShape() {
            return conv() ? Shape.of(n, cout, oh(), ow()) : Shape.of(n, cout);
        }

        Shape wShape() {
            return conv() ? Shape.of(cout, cin, k, k) : Shape.of(cout, cin);
        }

        @Override
        public String toString() {
            return label;
        }
    }

    static List<Geometry> geometries() {
        return List.of(
                new Geometry("linear 7->5", 2, 7, 5, 1, 1, 1, null, true),
                new Geometry("linear 1->3", 2, 1, 3, 1, 1, 1, null, true),
                new Geometry("linear 33->2", 2, 33, 2, 1, 1, 1, null, true),
                new Geometry("linear 33->2 no bias", 2, 33, 2, 1, 1, 1, null, false),
                new Geometry("conv 3->5 k3 s2 p1 7x9", 2, 3, 5, 7, 9, 3, Conv2dSpec.of(2, 1), true),
                new Geometry("conv 3->5 k1 4x5", 2, 3, 5, 4, 5, 1, Conv2dSpec.of(1, 0), true),
                new Geometry("conv 3->5 k1 s2 5x5 no bias", 2, 3, 5, 5, 5, 1, Conv2dSpec.of(2, 0), false),
                new Geometry("conv 3->5 k5 p2 6x6", 2, 3, 5, 6, 6, 5, Conv2dSpec.of(1, 2), true));
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Rule r : rules()) {
            for (Geometry g : geometries()) {
                for (boolean signed : new boolean[] {false, true}) {
                    out.add(Arguments.of(r, g, signed));
                }
            }
        }
        return out.stream();
    }

    // ---- data ------------------------------------------------------------------------------

    /** Layer data in float64 (all values exactly representable in float32). */
    record Data(double[] weight, double[] bias, double[][] x, double[][] r) {
    }

    static Data data(Geometry g, boolean signed, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] w = new double[(int) g.wShape().numel()];
        for (int i = 0; i < w.length; i++) {
            w[i] = (2 * rng.nextInt(-8, 8) + 1) / 16.0; // odd / 16 in [-15/16, 15/16], never 0
        }
        double[] b = null;
        if (g.bias()) {
            b = new double[g.cout()];
            for (int i = 0; i < b.length; i++) {
                b[i] = (2 * rng.nextInt(-32, 32) + 1) / 256.0; // off the 1/128 grid of W x: z != 0
            }
        }
        double[][] x = new double[g.n()][g.inSize()];
        double[][] r = new double[g.n()][g.outSize()];
        for (int s = 0; s < g.n(); s++) {
            for (int i = 0; i < g.inSize(); i++) {
                if (g.bias()) {
                    // post-ReLU-like inputs include exact zeros
                    x[s][i] = signed ? rng.nextInt(-16, 17) / 8.0 : rng.nextInt(0, 17) / 8.0;
                } else {
                    // odd numerators and an odd number of taps: sum of odd numbers, never 0
                    int odd = 2 * rng.nextInt(0, 16) + 1;
                    x[s][i] = (signed && rng.nextBoolean() ? -odd : odd) / 16.0;
                }
            }
            for (int j = 0; j < g.outSize(); j++) {
                r[s][j] = rng.nextDouble(-1, 1);
            }
        }
        return new Data(w, b, x, r);
    }

    /**
     * The dense matrix of the layer for one sample: W[row = output element][col = input element],
     * and the connectivity pattern (1 where the layer has a tap, padding excluded).
     */
    static double[][][] dense(Geometry g, double[] weight) {
        int out = g.outSize();
        int in = g.inSize();
        double[][] m = new double[out][in];
        double[][] pattern = new double[out][in];
        if (!g.conv()) {
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) {
                    m[o][i] = weight[o * in + i];
                    pattern[o][i] = 1;
                }
            }
            return new double[][][] {m, pattern};
        }
        int k = g.k();
        int stride = g.spec().strideH();
        int pad = g.spec().padH();
        for (int co = 0; co < g.cout(); co++) {
            for (int oy = 0; oy < g.oh(); oy++) {
                for (int ox = 0; ox < g.ow(); ox++) {
                    int row = (co * g.oh() + oy) * g.ow() + ox;
                    for (int ci = 0; ci < g.cin(); ci++) {
                        for (int ky = 0; ky < k; ky++) {
                            for (int kx = 0; kx < k; kx++) {
                                int iy = oy * stride - pad + ky;
                                int ix = ox * stride - pad + kx;
                                if (iy < 0 || iy >= g.h() || ix < 0 || ix >= g.w()) {
                                    continue; // zero padding: no tap
                                }
                                int col = (ci * g.h() + iy) * g.w() + ix;
                                m[row][col] += weight[((co * g.cin() + ci) * k + ky) * k + kx];
                                pattern[row][col] = 1;
                            }
                        }
                    }
                }
            }
        }
        return new double[][][] {m, pattern};
    }

    /** Bias of every output element (per channel, repeated over space); zeros without bias. */
    static double[] biasPerOutput(Geometry g, double[] bias) {
        double[] b = new double[g.outSize()];
        int per = g.oh() * g.ow();
        for (int j = 0; j < b.length; j++) {
            b[j] = bias == null ? 0 : bias[j / per];
        }
        return b;
    }

    // ---- the float64 reference -----------------------------------------------------------

    static double stab(double z, double eps) {
        return z + eps * (z >= 0 ? 1 : -1);
    }

    static double pos(double v) {
        return Math.max(v, 0);
    }

    static double neg(double v) {
        return Math.min(v, 0);
    }

    static double[] matvec(double[][] m, double[] x) {
        double[] y = new double[m.length];
        for (int j = 0; j < m.length; j++) {
            double s = 0;
            for (int i = 0; i < x.length; i++) {
                s += m[j][i] * x[i];
            }
            y[j] = s;
        }
        return y;
    }

    /** m^T s. */
    static double[] adjoint(double[][] m, double[] s, int in) {
        double[] y = new double[in];
        for (int j = 0; j < m.length; j++) {
            for (int i = 0; i < in; i++) {
                y[i] += m[j][i] * s[j];
            }
        }
        return y;
    }

    static double[][] map(double[][] m, java.util.function.DoubleUnaryOperator f) {
        double[][] y = new double[m.length][];
        for (int j = 0; j < m.length; j++) {
            y[j] = new double[m[j].length];
            for (int i = 0; i < m[j].length; i++) {
                y[j][i] = f.applyAsDouble(m[j][i]);
            }
        }
        return y;
    }

    static double[] map(double[] v, java.util.function.DoubleUnaryOperator f) {
        double[] y = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            y[i] = f.applyAsDouble(v[i]);
        }
        return y;
    }

    static double[] plus(double[]... vs) {
        double[] y = new double[vs[0].length];
        for (double[] v : vs) {
            for (int i = 0; i < y.length; i++) {
                y[i] += v[i];
            }
        }
        return y;
    }

    /** a * b elementwise. */
    static double[] times(double[] a, double[] b) {
        double[] y = new double[a.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = a[i] * b[i];
        }
        return y;
    }

    static double[] scale(double c, double[] a) {
        return map(a, v -> c * v);
    }

    /** R / stab(den), optionally masked by a predicate on z. */
    static double[] signal(double[] r, double[] den, double eps, double[] z, java.util.function.DoublePredicate mask) {
        double[] s = new double[r.length];
        for (int j = 0; j < r.length; j++) {
            s[j] = mask == null || mask.test(z[j]) ? r[j] / stab(den[j], eps) : 0;
        }
        return s;
    }

    /** R_in of one sample by the SPEC formulas, on the dense matrix W with connectivity {@code pattern}. */
    static double[] reference(Rule rule, double[][] w, double[][] pattern, double[] b, double[] x, double[] r) {
        int in = x.length;
        double[][] wp = map(w, RuleReferenceTest::pos);
        double[][] wn = map(w, RuleReferenceTest::neg);
        double[] xp = map(x, RuleReferenceTest::pos);
        double[] xn = map(x, RuleReferenceTest::neg);
        double[] bp = map(b, RuleReferenceTest::pos);
        double[] bn = map(b, RuleReferenceTest::neg);
        double[] z = plus(matvec(w, x), b);
        if (rule instanceof Rule.Epsilon e) {
            double[] s = signal(r, z, e.epsilon(), null, null);
            return times(x, adjoint(w, s, in));
        }
        if (rule instanceof Rule.ZPlus p) {
            double[] zp = plus(matvec(wp, xp), bp, matvec(wn, xn));
            double[] s = signal(r, zp, p.stabilizer(), null, null);
            return plus(times(xp, adjoint(wp, s, in)), times(xn, adjoint(wn, s, in)));
        }
        if (rule instanceof Rule.AlphaBeta ab) {
            double[] zp = plus(matvec(wp, xp), bp, matvec(wn, xn));
            double[] zn = plus(matvec(wn, xp), bn, matvec(wp, xn));
            double[] sp = signal(r, zp, ab.stabilizer(), null, null);
            double[] sn = signal(r, zn, ab.stabilizer(), null, null);
            double[] positive = plus(times(xp, adjoint(wp, sp, in)), times(xn, adjoint(wn, sp, in)));
            double[] negative = plus(times(xp, adjoint(wn, sn, in)), times(xn, adjoint(wp, sn, in)));
            return plus(scale(ab.alpha(), positive), scale(-ab.beta(), negative));
        }
        if (rule instanceof Rule.Gamma gm) {
            double g = gm.gamma();
            double[][] wpg = new double[w.length][in];
            double[][] wng = new double[w.length][in];
            for (int j = 0; j < w.length; j++) {
                for (int i = 0; i < in; i++) {
                    wpg[j][i] = w[j][i] + g * pos(w[j][i]);
                    wng[j][i] = w[j][i] + g * neg(w[j][i]);
                }
            }
            double[] bpg = plus(b, scale(g, bp));
            double[] bng = plus(b, scale(g, bn));
            double[] zp = plus(matvec(wpg, xp), bpg, matvec(wng, xn));
            double[] zn = plus(matvec(wng, xp), bng, matvec(wpg, xn));
            double[] sp = signal(r, zp, gm.stabilizer(), z, v -> v > 0);
            double[] sn = signal(r, zn, gm.stabilizer(), z, v -> v < 0);
            return plus(times(xp, adjoint(wpg, sp, in)), times(xn, adjoint(wng, sp, in)),
                    times(xp, adjoint(wng, sn, in)), times(xn, adjoint(wpg, sn, in)));
        }
        if (rule instanceof Rule.ZBox box) {
            double[] lo = new double[in];
            double[] hi = new double[in];
            java.util.Arrays.fill(lo, box.low());
            java.util.Arrays.fill(hi, box.high());
            // z' = (W x + b) - (W+ l + b+) - (W- h + b-): the bias cancels
            double[] zb = plus(z, scale(-1, plus(matvec(wp, lo), bp)), scale(-1, plus(matvec(wn, hi), bn)));
            double[] s = signal(r, zb, box.stabilizer(), null, null);
            return plus(times(x, adjoint(w, s, in)), times(lo, scale(-1, adjoint(wp, s, in))), times(hi, scale(-1, adjoint(wn, s, in))));
        }
        if (rule instanceof Rule.Flat || rule instanceof Rule.WSquare) {
            double eps = rule instanceof Rule.Flat f ? f.stabilizer() : ((Rule.WSquare) rule).stabilizer();
            double[][] m = rule instanceof Rule.Flat ? pattern : map(w, v -> v * v);
            double[] ones = new double[in];
            java.util.Arrays.fill(ones, 1);
            double[] s = signal(r, matvec(m, ones), eps, null, null);
            return adjoint(m, s, in);
        }
        throw new IllegalArgumentException("no reference for " + rule);
    }

    // ---- the engine --------------------------------------------------------------------------

    static float[] floats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
            if (f[i] != v[i]) {
                throw new AssertionError("test data must be exact in float32: " + v[i]);
            }
        }
        return f;
    }

    static float[] floats(double[][] rows) {
        int per = rows[0].length;
        float[] f = new float[rows.length * per];
        for (int s = 0; s < rows.length; s++) {
            float[] row = floats(rows[s]);
            System.arraycopy(row, 0, f, s * per, per);
        }
        return f;
    }

    static float[] floatsRounded(double[][] rows) {
        int per = rows[0].length;
        float[] f = new float[rows.length * per];
        for (int s = 0; s < rows.length; s++) {
            for (int i = 0; i < per; i++) {
                f[s * per + i] = (float) rows[s][i];
            }
        }
        return f;
    }

    /** R_in [n][in] computed by {@link LinearRelevance} on the CPU backend, told whether x >= 0 as the attributor is. */
    static double[][] engine(LinearRelevance lr, Rule rule, Geometry g, Data d, double[][] u) {
        boolean nonNegative = java.util.Arrays.stream(d.x()).flatMapToDouble(java.util.Arrays::stream).allMatch(v -> v >= 0);
        return engine(lr, rule, g, d, u, nonNegative);
    }

    /** With {@code nonNegative} the engine may drop the x- terms (only valid when x >= 0). */
    static double[][] engine(LinearRelevance lr, Rule rule, Geometry g, Data d, double[][] u, boolean nonNegative) {
        try (TensorScope scope = TensorScope.open()) {
            Tensor w = backend.upload(new HostTensor(g.wShape(), floats(d.weight())));
            Tensor b = d.bias() == null ? null : backend.upload(HostTensor.of(floats(d.bias()), g.cout()));
            Tensor x = backend.upload(new HostTensor(g.xShape(), floats(d.x())));
            Tensor z = g.conv() ? backend.conv2d(x, w, b, g.spec()) : backend.linear(x, w, b);
            Tensor ut = backend.upload(new HostTensor(g.zShape(), floats(u)));
            Tensor r = backend.upload(new HostTensor(g.zShape(), floatsRounded(d.r())));
            LinearLayerView view = new LinearLayerView(g.label(), w, b, g.spec());
            Tensor rin = lr.propagate(view, rule, x, z, LinearRelevance.needsU(rule) ? ut : null, r, nonNegative, 0).relevance();
            HostTensor h = backend.download(rin);
            assertEquals(g.xShape(), h.shape(), "input relevance shape");
            double[][] out = new double[g.n()][g.inSize()];
            for (int s = 0; s < g.n(); s++) {
                for (int i = 0; i < g.inSize(); i++) {
                    out[s][i] = h.data()[s * g.inSize() + i];
                }
            }
            return out;
        }
    }

    /** Reference for all samples; R is taken as float32 (what the engine gets), the rest is exact anyway. */
    static double[][] reference(Rule rule, Geometry g, Data d) {
        double[][][] dm = dense(g, d.weight());
        double[] b = biasPerOutput(g, d.bias());
        double[][] out = new double[g.n()][];
        for (int s = 0; s < g.n(); s++) {
            double[] r = map(d.r()[s], v -> (float) v);
            out[s] = reference(rule, dm[0], dm[1], b, d.x()[s], r);
        }
        return out;
    }

    /** u = W+ x+ + W- x- per sample, exact (dyadic data). */
    static double[][] u(Geometry g, Data d) {
        double[][] w = dense(g, d.weight())[0];
        double[][] wp = map(w, RuleReferenceTest::pos);
        double[][] wn = map(w, RuleReferenceTest::neg);
        double[][] out = new double[g.n()][];
        for (int s = 0; s < g.n(); s++) {
            out[s] = plus(matvec(wp, map(d.x()[s], RuleReferenceTest::pos)), matvec(wn, map(d.x()[s], RuleReferenceTest::neg)));
        }
        return out;
    }

    /**
     * Tolerance: |ours - ref| <= 1e-4 * max|ref| + 1e-6 elementwise. The inputs of every
     * denominator are exact in float32 (dyadic data), so what is left is float32 rounding of
     * R / stab(den) (2^-24 relative) and of the adjoint's accumulation over at most
     * 5 channels * 25 taps (worst case about 125 * 2^-24 ~ 7e-6 of the largest term; typically
     * sqrt(125) * 2^-24 ~ 7e-7). 1e-4 of the largest reference value leaves a 10x margin while a
     * wrong formula (sign, missing term, wrong mask, wrong taps at the border) is an O(1) error.
     */
    static void assertClose(double[][] ref, double[][] ours, String what) {
        double max = 0;
        for (double[] row : ref) {
            for (double v : row) {
                max = Math.max(max, Math.abs(v));
            }
        }
        double tol = 1e-4 * max + 1e-6;
        double worst = 0;
        int ws = -1;
        int wi = -1;
        for (int s = 0; s < ref.length; s++) {
            for (int i = 0; i < ref[s].length; i++) {
                double e = Math.abs(ours[s][i] - ref[s][i]);
                if (!(e <= worst)) {
                    worst = e;
                    ws = s;
                    wi = i;
                }
            }
        }
        if (!(worst <= tol)) {
            fail(what + ": max |ours - ref| = " + worst + " > " + tol + " (max|ref| " + max + ") at sample " + ws + " element " + wi
                    + ": ours " + ours[ws][wi] + ", ref " + ref[ws][wi]);
        }
    }

    static long seed(Geometry g, boolean signed) {
        return (g.label().hashCode() * 31L + (signed ? 1 : 0)) * 1_000_003L + 17;
    }

    @ParameterizedTest(name = "{0} on {1}, signed input {2}")
    @MethodSource("cases")
    void matchesDenseFloat64Reference(Rule rule, Geometry g, boolean signed) {
        Data d = data(g, signed, seed(g, signed));
        LinearRelevance lr = new LinearRelevance(backend);
        try {
            double[][] ours = engine(lr, rule, g, d, u(g, d));
            assertClose(reference(rule, g, d), ours, rule.spec() + " on " + g + (signed ? " (signed x)" : " (x >= 0)"));
            if (!signed) {
                // the general (x+ and x-) path must agree on non-negative inputs too
                assertClose(reference(rule, g, d), engine(lr, rule, g, d, u(g, d), false), rule.spec() + " on " + g + " (x >= 0, general path)");
            }
        } finally {
            lr.clear();
        }
    }

    /**
     * One LinearRelevance used for every rule on the same layer in a row (its per-rule weight
     * stacks and denominators are cached by layer and rule): each result must still equal the
     * reference, i.e. no rule picks up another rule's cached stack.
     */
    @Test
    void cachedStacksAreKeptApartPerRule() {
        for (Geometry g : List.of(geometries().get(0), geometries().get(4))) {
            Data d = data(g, true, 99);
            double[][] u = u(g, d);
            LinearRelevance lr = new LinearRelevance(backend);
            try {
                for (int round = 0; round < 2; round++) {
                    for (Rule rule : rules()) {
                        assertClose(reference(rule, g, d), engine(lr, rule, g, d, u), rule.spec() + " on " + g + " (shared cache, round " + round + ")");
                    }
                }
            } finally {
                lr.clear();
            }
        }
    }

    /**
     * Batch independence: a sample explained alone gives the same relevance as within a batch,
     * with the same LinearRelevance (its cache is keyed by input shape where it depends on it).
     */
    @Test
    void samplesAreIndependentOfTheirBatch() {
        Geometry g = geometries().get(4);
        Geometry one = new Geometry(g.label(), 1, g.cin(), g.cout(), g.h(), g.w(), g.k(), g.spec(), g.bias());
        Data d = data(g, true, 5);
        Data second = new Data(d.weight(), d.bias(), new double[][] {d.x()[1]}, new double[][] {d.r()[1]});
        for (Rule rule : rules()) {
            LinearRelevance lr = new LinearRelevance(backend);
            try {
                double[][] batch = engine(lr, rule, g, d, u(g, d));
                // the same instance: stacks and denominators cached for batch 2 must serve batch 1 too
                double[][] alone = engine(lr, rule, one, second, u(one, second));
                assertArrayEquals(batch[1], alone[0], 1e-5 * (1 + maxAbs(batch[1])), rule.spec());
            } finally {
                lr.clear();
            }
        }
    }

    static double maxAbs(double[] v) {
        double m = 0;
        for (double x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }

    /**
     * stab(0) = +eps (sgn(0) = +1): W = [[1, -1]], x = [1, 1], b = 0 gives z = 0 exactly, so
     * epsilon gives s = R / eps and R_in = [R / eps, -R / eps] (the opposite sign if sgn(0) were -1).
     */
    @Test
    void zeroDenominatorIsStabilizedWithPlusEpsilon() {
        for (double eps : new double[] {0.25, 1e-6}) {
            try (TensorScope scope = TensorScope.open()) {
                Tensor w = backend.upload(HostTensor.of(new float[] {1, -1}, 1, 2));
                Tensor b = backend.upload(HostTensor.of(new float[] {0}, 1));
                Tensor x = backend.upload(HostTensor.of(new float[] {1, 1}, 1, 2));
                Tensor z = backend.linear(x, w, b);
                assertEquals(0f, backend.download(z).data()[0]);
                Tensor r = backend.upload(HostTensor.of(new float[] {0.5f}, 1, 1));
                LinearRelevance lr = new LinearRelevance(backend);
                float[] rin = backend.download(lr.propagate(new LinearLayerView("zero", w, b, null), new Rule.Epsilon(eps), x, z, null, r, false, 0).relevance()).data();
                lr.clear();
                double expected = 0.5 / eps;
                assertEquals(expected, rin[0], expected * 1e-6, "eps " + eps);
                assertEquals(-expected, rin[1], expected * 1e-6, "eps " + eps);
            }
        }
    }

    /**
     * A zero denominator whose numerators are all zero (ZPlus on an output that sees only zero
     * inputs, the usual case after a ReLU) must give 0, not NaN or a huge value.
     */
    @Test
    void deadOutputsGiveZeroNotNaN() {
        try (TensorScope scope = TensorScope.open()) {
            Tensor w = backend.upload(HostTensor.of(new float[] {1, -1, 0.5f, 0.25f}, 2, 2));
            Tensor x = backend.upload(HostTensor.of(new float[] {0, 0}, 1, 2));
            Tensor z = backend.linear(x, w, null);
            Tensor u = backend.upload(HostTensor.of(new float[] {0, 0}, 1, 2));
            Tensor r = backend.upload(HostTensor.of(new float[] {1, -1}, 1, 2));
            for (Rule rule : rules()) {
                LinearRelevance lr = new LinearRelevance(backend);
                float[] rin = backend.download(lr.propagate(new LinearLayerView("dead", w, null, null), rule, x, z,
                        LinearRelevance.needsU(rule) ? u : null, r, true, 0).relevance()).data();
                lr.clear();
                for (float v : rin) {
                    assertTrue(Float.isFinite(v), rule.spec() + " gave " + v);
                }
                if (!(rule instanceof Rule.Flat || rule instanceof Rule.WSquare || rule instanceof Rule.ZBox)) {
                    assertArrayEquals(new float[] {0, 0}, rin, 0f, rule.spec()); // x = 0: nothing to attribute to
                }
            }
        }
    }
}
