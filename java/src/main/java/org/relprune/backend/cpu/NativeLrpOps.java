package org.relprune.backend.cpu;

import static org.relprune.backend.cpu.TorchTensors.wrap;

import java.util.List;
import java.util.function.Consumer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.pytorch.global.torch;
import org.relprune.backend.FeatureLayout;
import org.relprune.backend.OpShapes;
import org.relprune.backend.Pool2dSpec;
import org.relprune.backend.jni.NativeKernels;
import org.relprune.backend.jni.NativeStatus;
import org.relprune.tensor.Shape;
import org.relprune.tensor.Tensor;
import org.relprune.tensor.TensorScope;

/**
 * The CPU LRP operations with the elementwise stages in our native kernels (native/src/cpu: the
 * specification of the CUDA twins): one pass for the stacked signals and the read-outs of R,
 * one for the combination, one for ratios, max pooling's winners, the pool adjoints, the sign
 * split and test, LayerNorm's scale and adjoint and the patch grid. The dense adjoints and the
 * attention step stay libtorch's ({@link TorchLrpOps}).
 */
final class NativeLrpOps extends TorchLrpOps {
    NativeLrpOps() {
        NativeKernels.load();
    }

    private static FloatPointer p(Tensor x) {
        return x == null ? null : x.storage(TorchStorage.class).data();
    }

    /** A fresh row-major tensor filled by a kernel call; freed again if the call fails. */
    private static Tensor filled(Shape shape, Consumer<Tensor> kernel) {
        return filled(shape, false, kernel);
    }

    /** The same, channels-last when asked and 4-D ({@link CpuLayout}). */
    private static Tensor filled(Shape shape, boolean channelsLast, Consumer<Tensor> kernel) {
        Tensor y = CpuLayout.empty(shape, channelsLast);
        try {
            kernel.accept(y);
        } catch (RuntimeException e) {
            y.close();
            throw e;
        }
        return y;
    }

    @Override
    public Signals signals(Tensor relevance, Tensor z, Tensor u, Tensor bias, Tensor offset, List<SignalSpec> specs, int axis, int readoutGroup) {
        FeatureLayout logical = FeatureLayout.forSignals(relevance, z, u, bias, offset, axis, readoutGroup);
        // the kernel walks memory: z's order, the other operands brought to it
        boolean cl = CpuLayout.channelsLast(z);
        FeatureLayout f = CpuLayout.of(z, axis);
        // a read-out group of logical rows spans this many rows in memory order
        long group = Math.max(1, Math.max(readoutGroup, 1) * (f.outer() / Math.max(logical.outer(), 1)));
        int k = specs.size();
        Shape readout = Shape.of(logical.outer() / Math.max(readoutGroup, 1), f.c());
        Tensor sums = readoutGroup > 0 ? wrap(torch.empty(readout.dims())) : null;
        Tensor absSums = readoutGroup > 0 ? wrap(torch.empty(readout.dims())) : null;
        try (DoublePointer sp = new DoublePointer(FeatureLayout.packSignals(specs)); TensorScope scope = TensorScope.open()) {
            Tensor r = CpuLayout.alike(relevance, z);
            Tensor uu = CpuLayout.alike(u, z);
            Tensor off = CpuLayout.alike(offset, z);
            Tensor s = scope.keep(filled(FeatureLayout.stacked(z.shape(), axis, k), cl, st -> NativeStatus.check(NativeKernels.rp_lrp_signals_cpu(p(r),
                    p(z), p(uu), p(bias), p(off), sp, k, f.outer(), f.c(), f.inner(), p(st), group, p(sums), p(absSums)),
                    "rp_lrp_signals_cpu")));
            return new Signals(s, sums, absSums);
        } catch (RuntimeException e) {
            if (sums != null) {
                sums.close();
                absSums.close();
            }
            throw e;
        }
    }

    @Override
    public Tensor combine(Tensor g, Tensor x, List<CombineTerm> terms, int axis) {
        FeatureLayout f = CpuLayout.of(x, axis);
        int k = terms.size();
        if (g.numel() != x.numel() * k) {
            throw new IllegalArgumentException("stacked " + g.shape() + " does not hold " + k + " blocks shaped like x " + x.shape());
        }
        try (DoublePointer tp = new DoublePointer(FeatureLayout.packTerms(terms)); TensorScope scope = TensorScope.open()) {
            Tensor gg = CpuLayout.alike(g, x);
            return scope.keep(filled(x.shape(), CpuLayout.channelsLast(x), y -> NativeStatus.check(NativeKernels.rp_lrp_combine_cpu(p(gg), p(x), tp, k,
                    f.outer(), f.c(), f.inner(), p(y)), "rp_lrp_combine_cpu")));
        }
    }

    @Override
    public Tensor maxPoolWinners(Tensor relevance, Tensor x, Pool2dSpec spec) {
        if (CpuLayout.channelsLast(x)) {
            // the kernel reads planes [h, w]; libtorch's pooling gradient (the same winners: the
            // first maximum of each window, NaN winning) reads channels-last as it is
            return super.maxPoolWinners(relevance, x, spec);
        }
        Shape out = OpShapes.pool2d("maxPoolWinners", x, spec);
        OpShapes.sameShape("max pool relevance", relevance, out);
        Shape xs = x.shape();
        return filled(xs, y -> NativeStatus.check(NativeKernels.rp_lrp_max_pool2d_winners_cpu(p(x), p(relevance), p(y), xs.dim(0), xs.dim(1),
                xs.dim(2), xs.dim(3), spec.kernelH(), spec.kernelW(), spec.strideH(), spec.strideW(), spec.padH(), spec.padW(), out.dim(2),
                out.dim(3)), "rp_lrp_max_pool2d_winners_cpu"));
    }

    @Override
    public Tensor ratio(Tensor numerator, Tensor denominator, Tensor x, double epsilon) {
        return nativeRatio(numerator, denominator, x, epsilon);
    }

    @Override
    public Tensor stabilizedDivide(Tensor numerator, Tensor denominator, double epsilon) {
        return nativeRatio(numerator, denominator, null, epsilon);
    }

    private static Tensor nativeRatio(Tensor numerator, Tensor denominator, Tensor x, double epsilon) {
        Shape s = numerator.shape();
        OpShapes.sameShape("denominator", denominator, s);
        OpShapes.sameShape("x", x, s);
        try (TensorScope scope = TensorScope.open()) {
            Tensor den = CpuLayout.alike(denominator, numerator);
            Tensor xx = CpuLayout.alike(x, numerator);
            return scope.keep(filled(s, CpuLayout.channelsLast(numerator), y -> NativeStatus.check(NativeKernels.rp_lrp_ratio_cpu(p(numerator), p(den),
                    p(xx), p(y), s.numel(), epsilon), "rp_lrp_ratio_cpu")));
        }
    }

    @Override
    public Tensor avgPoolAdjoint(Tensor g, Shape input, Pool2dSpec spec) {
        Shape out = OpShapes.pool2d("avgPoolAdjoint", input, spec);
        OpShapes.sameShape("avg pool gradient", g, out);
        try (TensorScope scope = TensorScope.open()) {
            Tensor planes = CpuLayout.rowMajor(g); // the kernel reads planes [oh, ow]
            return scope.keep(filled(input, y -> NativeStatus.check(NativeKernels.rp_avg_pool2d_adjoint_cpu(p(planes), p(y), input.dim(0), input.dim(1),
                    input.dim(2), input.dim(3), spec.kernelH(), spec.kernelW(), spec.strideH(), spec.strideW(), spec.padH(), spec.padW(), out.dim(2),
                    out.dim(3)), "rp_avg_pool2d_adjoint_cpu")));
        }
    }

    @Override
    public Tensor adaptiveAvgPoolAdjoint(Tensor g, Shape input) {
        Shape gs = OpShapes.adaptivePoolAdjoint(g, input);
        try (TensorScope scope = TensorScope.open()) {
            Tensor planes = CpuLayout.rowMajor(g);
            return scope.keep(filled(input, y -> NativeStatus.check(NativeKernels.rp_adaptive_avg_pool2d_adjoint_cpu(p(planes), p(y), input.dim(0),
                    input.dim(1), input.dim(2), input.dim(3), gs.dim(2), gs.dim(3)), "rp_adaptive_avg_pool2d_adjoint_cpu")));
        }
    }

    @Override
    public Tensor splitSigns(Tensor x, int axis) {
        FeatureLayout f = CpuLayout.of(x, axis);
        return filled(FeatureLayout.stacked(x.shape(), axis, 2), CpuLayout.channelsLast(x), y -> NativeStatus.check(NativeKernels.rp_split_signs_cpu(p(x),
                p(y), f.outer(), f.c(), f.inner()), "rp_split_signs_cpu"));
    }

    @Override
    public boolean nonNegative(Tensor x) {
        try (IntPointer any = new IntPointer(1)) {
            NativeStatus.check(NativeKernels.rp_any_negative_cpu(p(x), x.numel(), any), "rp_any_negative_cpu");
            return any.get() == 0;
        }
    }

    @Override
    public Tensor layerNormScale(Tensor x, Tensor gamma, float eps) {
        long cols = x.shape().dim(-1);
        long rows = cols == 0 ? 0 : x.numel() / cols;
        OpShapes.sameShape("LayerNorm gamma", gamma, Shape.of(cols));
        return filled(x.shape(), y -> NativeStatus.check(NativeKernels.rp_layernorm_scale_cpu(p(x), p(gamma), p(y), rows, cols, eps),
                "rp_layernorm_scale_cpu"));
    }

    @Override
    public Tensor layerNormAdjoint(Tensor g, Tensor scale) {
        OpShapes.sameShape("LayerNorm scale", scale, g.shape());
        long cols = g.shape().dim(-1);
        long rows = cols == 0 ? 0 : g.numel() / cols;
        return filled(g.shape(), y -> NativeStatus.check(NativeKernels.rp_layernorm_adjoint_cpu(p(g), p(scale), p(y), rows, cols),
                "rp_layernorm_adjoint_cpu"));
    }

    @Override
    public Tensor tokensToPatchGrid(Tensor g, Shape patches) {
        long grid = OpShapes.patchGrid(g, patches);
        Shape gs = g.shape();
        return filled(patches, y -> NativeStatus.check(NativeKernels.rp_tokens_to_grid_cpu(p(g), p(y), gs.dim(0), gs.dim(2), grid),
                "rp_tokens_to_grid_cpu"));
    }
}
