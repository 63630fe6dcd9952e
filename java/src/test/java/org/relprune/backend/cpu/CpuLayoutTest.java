package org.relprune.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.relprune.backend.LrpOps;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Shape;
import org.relprune.tensor.Tensor;
import org.relprune.tensor.TensorScope;

/**
 * The CPU backend keeps images channels-last and our kernels walk memory: every kernel-backed
 * operation gives the same values for an image stored channels-last as for the same image
 * stored row-major, and mixed operands are brought to one order. Plus gatherFeatures against a
 * plain loop.
 */
class CpuLayoutTest {
    private static CpuBackend cpu;

    @BeforeAll
    static void open() {
        cpu = new CpuBackend();
    }

    @AfterAll
    static void close() {
        cpu.close();
    }

    private static HostTensor random(long seed, long... dims) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] v = new float[Shape.of(dims).numelInt()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rng.nextDouble(-2, 2);
        }
        return HostTensor.of(v, dims);
    }

    /** The same values stored row-major (an add of zeros takes the first operand's order). */
    private static Tensor rowMajor(Tensor x) {
        Tensor zeros = cpu.lrp().full(x.shape(), 0);
        assertFalse(CpuLayout.channelsLast(zeros));
        return cpu.add(zeros, x);
    }

    private static void assertSame(HostTensor want, HostTensor got, double tol, String what) {
        assertEquals(want.shape(), got.shape(), what);
        for (int i = 0; i < want.data().length; i++) {
            assertTrue(Math.abs(want.data()[i] - got.data()[i]) <= tol * (1 + Math.abs(want.data()[i])),
                    what + ": element " + i + " " + got.data()[i] + " vs " + want.data()[i]);
        }
    }

    @Test
    void kernelsGiveTheSameValuesInEitherOrder() {
        try (TensorScope scope = TensorScope.open()) {
            Shape s = Shape.of(3, 5, 4, 7);
            Tensor x = cpu.upload(random(1, 3, 5, 4, 7));
            assertTrue(CpuLayout.channelsLast(x), "an uploaded image is stored channels-last");
            Tensor xr = rowMajor(x);
            Tensor z = cpu.upload(random(2, 3, 5, 4, 7));
            Tensor r = cpu.upload(random(3, 3, 5, 4, 7));
            Tensor u = cpu.upload(random(4, 3, 5, 4, 7));
            Tensor scale = cpu.upload(random(5, 5));
            Tensor shift = cpu.upload(random(6, 5));
            Tensor mask = cpu.upload(HostTensor.of(new float[] {1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 1, 0, 0, 1, 1}, 3, 5));
            LrpOps ops = cpu.lrp();
            assertSame(cpu.download(cpu.channelAffine(xr, scale, shift, true)), cpu.download(cpu.channelAffine(x, scale, shift, true)), 0, "channelAffine");
            Tensor x9 = cpu.upload(random(7, 9, 5, 4, 7));
            assertSame(cpu.download(cpu.channelMask(rowMajor(x9), mask)), cpu.download(cpu.channelMask(x9, mask)), 0, "channelMask");
            assertSame(cpu.download(cpu.relu(xr)), cpu.download(cpu.relu(x)), 0, "relu");
            assertSame(cpu.download(cpu.add(xr, z)), cpu.download(cpu.add(x, rowMajor(z))), 0, "add of mixed orders");
            List<LrpOps.SignalSpec> specs = List.of(LrpOps.SignalSpec.of(1, LrpOps.Mask.POSITIVE, 1, 0.25, 0, 0.25, 0, 0, 1e-6),
                    LrpOps.SignalSpec.of(1, LrpOps.Mask.NEGATIVE, 1.25, -0.25, -0.25, 0, 0.25, 0, 1e-6));
            LrpOps.Signals a = ops.signals(rowMajor(r), rowMajor(z), rowMajor(u), shift, null, specs, 1, 1);
            LrpOps.Signals b = ops.signals(r, z, u, shift, null, specs, 1, 1);
            assertSame(cpu.download(a.stacked()), cpu.download(b.stacked()), 0, "signals");
            assertSame(cpu.download(a.sums()), cpu.download(b.sums()), 1e-6, "signal read-outs (per image and channel)");
            assertSame(cpu.download(a.absSums()), cpu.download(b.absSums()), 1e-6, "signal |read-outs|");
            LrpOps.Signals mixed = ops.signals(rowMajor(r), z, u, shift, null, specs, 1, 1);
            assertSame(cpu.download(a.stacked()), cpu.download(mixed.stacked()), 0, "signals of mixed orders");
            List<LrpOps.CombineTerm> terms = List.of(new LrpOps.CombineTerm(LrpOps.CombineTerm.Factor.X_POS, 1),
                    new LrpOps.CombineTerm(LrpOps.CombineTerm.Factor.X_PLUS, -0.5));
            assertSame(cpu.download(ops.combine(rowMajor(a.stacked()), xr, terms, 1)), cpu.download(ops.combine(b.stacked(), x, terms, 1)), 0, "combine");
            assertSame(cpu.download(ops.splitSigns(xr, 1)), cpu.download(ops.splitSigns(x, 1)), 0, "splitSigns");
            assertSame(cpu.download(ops.ratio(xr, rowMajor(z), xr, 1e-6)), cpu.download(ops.ratio(x, z, x, 1e-6)), 0, "ratio");
            assertSame(cpu.download(cpu.convert(cpu.convert(xr, org.relprune.tensor.DType.BF16), org.relprune.tensor.DType.F32)),
                    cpu.download(cpu.convert(cpu.convert(x, org.relprune.tensor.DType.BF16), org.relprune.tensor.DType.F32)), 0, "bf16 round trip");
            assertEquals(s, cpu.gatherFeatures(x, 1, new int[] {0, 1, 2, 3, 4}).shape());
            // the in-place forms: the same values, written over their first operand
            HostTensor relu = cpu.download(cpu.relu(x));
            Tensor y = cpu.add(x, cpu.lrp().full(s, 0));
            assertTrue(cpu.reluInPlace(y) == y);
            assertSame(relu, cpu.download(y), 0, "reluInPlace");
            HostTensor sum = cpu.download(cpu.add(x, z));
            Tensor acc = cpu.add(x, cpu.lrp().full(s, 0));
            assertTrue(cpu.addInPlace(acc, rowMajor(z)) == acc);
            assertSame(sum, cpu.download(acc), 0, "addInPlace of mixed orders");
        }
    }

    @Test
    void gatherFeaturesPicksAndFillsZeros() {
        try (TensorScope scope = TensorScope.open()) {
            HostTensor h = random(9, 2, 6, 3, 4);
            int[] index = {5, -1, 0, 2, 2, -1, 1};
            for (int axis : new int[] {0, 1, 2, 3}) {
                long[] dims = h.shape().dims();
                int[] idx = axis == 0 ? new int[] {1, -1, 0} : axis == 1 ? index : new int[] {2, -1, 0};
                Tensor x = cpu.upload(h);
                for (Tensor in : List.of(x, rowMajor(x))) {
                    HostTensor got = cpu.download(cpu.gatherFeatures(in, axis, idx));
                    long[] od = dims.clone();
                    od[axis] = idx.length;
                    assertEquals(Shape.of(od), got.shape());
                    // a plain loop over the logical indices
                    int n = 0;
                    for (int a = 0; a < od[0]; a++) {
                        for (int b = 0; b < od[1]; b++) {
                            for (int c = 0; c < od[2]; c++) {
                                for (int d = 0; d < od[3]; d++) {
                                    int[] at = {a, b, c, d};
                                    int src = idx[at[axis]];
                                    float want = 0;
                                    if (src >= 0) {
                                        at[axis] = src;
                                        want = h.data()[(int) (((at[0] * dims[1] + at[1]) * dims[2] + at[2]) * dims[3] + at[3])];
                                    }
                                    assertEquals(want, got.data()[n++], "axis " + axis + " element " + (n - 1));
                                }
                            }
                        }
                    }
                }
            }
            // the training backend's libtorch form gives the same
            try (AutogradBackend autograd = new AutogradBackend()) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(cpu.download(cpu.gatherFeatures(cpu.upload(h), 1, index)).data(),
                        autograd.download(autograd.gatherFeatures(autograd.upload(h), 1, index)).data());
            }
            Tensor x = cpu.upload(h);
            assertThrows(IllegalArgumentException.class, () -> cpu.gatherFeatures(x, 1, new int[] {6}));
            assertThrows(IllegalArgumentException.class, () -> cpu.gatherFeatures(x, 1, new int[] {-2}));
            assertThrows(IllegalArgumentException.class, () -> cpu.gatherFeatures(x, 4, new int[] {0}));
        }
    }
}
