package org.relprune.backend.cpu;

import static org.relprune.backend.cpu.TorchTensors.wrap;

import java.util.List;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.pytorch.global.torch;
import org.relprune.backend.FeatureLayout;
import org.relprune.backend.OpShapes;
import org.relprune.backend.Pool2dSpec;
import org.relprune.backend.jni.NativeKernels;
import org.relprune.backend.jni.NativeStatus;
import org.relprune.tensor.Shape;
import org.relprune.tensor.Tensor;

/**
 * The CPU LRP operations with the elementwise stages in our fused native kernels
 * (native/src/cpu/lrp.cpp): one pass for the stacked signals and the read-outs of R, one for
 * the combination, one for ratios, one for max pooling's winners. The dense adjoints stay libtorch's ({@link TorchLrpOps}).
 */
final class NativeLrpOps extends TorchLrpOps {
    NativeLrpOps() {
        NativeKernels.load();
    }

    private static FloatPointer p(Tensor x) {
        return x == null ? null : x.storage(TorchStorage.class).data();
    }

    private static Tensor empty(long... dims) {
        return wrap(torch.empty(dims));
    }

    private static void sameShape(String what, Tensor t, Shape expected) {
        if (t != null && !t.shape().equals(expected)) {
            throw new IllegalArgumentException(what + " is " + t.shape() + " but must be " + expected);
        }
    }

    @Override
    public Signals signals(Tensor relevance, Tensor z, Tensor u, Tensor bias, Tensor offset, List<SignalSpec> specs, int axis, int readoutGroup) {
        Shape zs = z.shape();
        sameShape("relevance", relevance, zs);
        sameShape("u", u, zs);
        sameShape("offset", offset, zs);
        FeatureLayout f = FeatureLayout.of(zs, axis);
        if (bias != null && bias.numel() != f.c()) {
            throw new IllegalArgumentException("bias has " + bias.numel() + " values but z has " + f.c() + " features on axis " + axis);
        }
        int k = specs.size();
        double[] packed = FeatureLayout.packSignals(specs);
        long[] stackedDims = zs.dims();
        int a = axis < 0 ? zs.rank() + axis : axis;
        stackedDims[a] *= k;
        Tensor s = empty(stackedDims);
        Tensor sums = null;
        Tensor absSums = null;
        if (readoutGroup > 0) {
            if (f.outer() % readoutGroup != 0) {
                throw new IllegalArgumentException("read-out group " + readoutGroup + " does not divide the " + f.outer() + " rows of " + zs);
            }
            sums = empty(f.outer() / readoutGroup, f.c());
            absSums = empty(f.outer() / readoutGroup, f.c());
        }
        try (DoublePointer sp = new DoublePointer(packed)) {
            NativeStatus.check(NativeKernels.rp_lrp_signals_cpu(p(relevance), p(z), p(u), p(bias), p(offset), sp, k,
                    f.outer(), f.c(), f.inner(), p(s), Math.max(readoutGroup, 1), p(sums), p(absSums)), "rp_lrp_signals_cpu");
        } catch (RuntimeException e) {
            s.close();
            if (sums != null) {
                sums.close();
                absSums.close();
            }
            throw e;
        }
        return new Signals(s, sums, absSums);
    }

    @Override
    public Tensor combine(Tensor g, Tensor x, List<CombineTerm> terms, int axis) {
        FeatureLayout f = FeatureLayout.of(x.shape(), axis);
        int k = terms.size();
        if (g.numel() != x.numel() * k) {
            throw new IllegalArgumentException("stacked " + g.shape() + " does not hold " + k + " blocks shaped like x " + x.shape());
        }
        double[] packed = FeatureLayout.packTerms(terms);
        Tensor out = empty(x.shape().dims());
        try (DoublePointer tp = new DoublePointer(packed)) {
            NativeStatus.check(NativeKernels.rp_lrp_combine_cpu(p(g), p(x), tp, k, f.outer(), f.c(), f.inner(), p(out)), "rp_lrp_combine_cpu");
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
        return out;
    }

    @Override
    public Tensor maxPoolWinners(Tensor relevance, Tensor x, Pool2dSpec spec) {
        Shape out = OpShapes.pool2d("maxPoolWinners", x, spec);
        if (!relevance.shape().equals(out)) {
            throw new IllegalArgumentException("max pool relevance is " + relevance.shape() + " but the pooled output of " + x.shape() + " is " + out);
        }
        Shape xs = x.shape();
        Tensor y = empty(xs.dims());
        try {
            NativeStatus.check(NativeKernels.rp_lrp_max_pool2d_winners_cpu(p(x), p(relevance), p(y), xs.dim(0), xs.dim(1), xs.dim(2), xs.dim(3),
                    spec.kernelH(), spec.kernelW(), spec.strideH(), spec.strideW(), spec.padH(), spec.padW(), out.dim(2), out.dim(3)),
                    "rp_lrp_max_pool2d_winners_cpu");
        } catch (RuntimeException e) {
            y.close();
            throw e;
        }
        return y;
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
        sameShape("denominator", denominator, s);
        sameShape("x", x, s);
        Tensor out = empty(s.dims());
        try {
            NativeStatus.check(NativeKernels.rp_lrp_ratio_cpu(p(numerator), p(denominator), p(x), p(out), s.numel(), epsilon), "rp_lrp_ratio_cpu");
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
        return out;
    }

    @Override
    public Tensor avgPoolAdjoint(Tensor g, Shape input, Pool2dSpec spec) {
        Shape out = OpShapes.pool2d("avgPoolAdjoint", input, spec);
        sameShape("avg pool gradient", g, out);
        Tensor y = empty(input.dims());
        try {
            NativeStatus.check(NativeKernels.rp_avg_pool2d_adjoint_cpu(p(g), p(y), input.dim(0), input.dim(1), input.dim(2), input.dim(3),
                    spec.kernelH(), spec.kernelW(), spec.strideH(), spec.strideW(), spec.padH(), spec.padW(), out.dim(2), out.dim(3)),
                    "rp_avg_pool2d_adjoint_cpu");
        } catch (RuntimeException e) {
            y.close();
            throw e;
        }
        return y;
    }

    @Override
    public Tensor adaptiveAvgPoolAdjoint(Tensor g, Shape input) {
        Shape gs = g.shape();
        if (gs.rank() != 4 || input.rank() != 4 || gs.dim(0) != input.dim(0) || gs.dim(1) != input.dim(1)) {
            throw new IllegalArgumentException("adaptive pool gradient " + gs + " does not fit input " + input);
        }
        Tensor y = empty(input.dims());
        try {
            NativeStatus.check(NativeKernels.rp_adaptive_avg_pool2d_adjoint_cpu(p(g), p(y), input.dim(0), input.dim(1), input.dim(2), input.dim(3),
                    gs.dim(2), gs.dim(3)), "rp_adaptive_avg_pool2d_adjoint_cpu");
        } catch (RuntimeException e) {
            y.close();
            throw e;
        }
        return y;
    }

    @Override
    public Tensor splitSigns(Tensor x, int axis) {
        FeatureLayout f = FeatureLayout.of(x.shape(), axis);
        Tensor y = empty(FeatureLayout.stacked(x.shape(), axis, 2).dims());
        try {
            NativeStatus.check(NativeKernels.rp_split_signs_cpu(p(x), p(y), f.outer(), f.c(), f.inner()), "rp_split_signs_cpu");
        } catch (RuntimeException e) {
            y.close();
            throw e;
        }
        return y;
    }

    @Override
    public boolean nonNegative(Tensor x) {
        try (org.bytedeco.javacpp.IntPointer any = new org.bytedeco.javacpp.IntPointer(1)) {
            NativeStatus.check(NativeKernels.rp_any_negative_cpu(p(x), x.numel(), any), "rp_any_negative_cpu");
            return any.get() == 0;
        }
    }

    @Override
    public Tensor layerNormScale(Tensor x, Tensor gamma, float eps) {
        long cols = x.shape().dim(-1);
        long rows = cols == 0 ? 0 : x.numel() / cols;
        sameShape("LayerNorm gamma", gamma, Shape.of(cols));
        Tensor y = empty(x.shape().dims());
        try {
            NativeStatus.check(NativeKernels.rp_layernorm_scale_cpu(p(x), p(gamma), p(y), rows, cols, eps), "rp_layernorm_scale_cpu");
        } catch (RuntimeException e) {
            y.close();
            throw e;
        }
        return y;
    }

    @Override
    public Tensor layerNormAdjoint(Tensor g, Tensor scale) {
        sameShape("LayerNorm scale", scale, g.shape());
        long cols = g.shape().dim(-1);
        long rows = cols == 0 ? 0 : g.numel() / cols;
        Tensor y = empty(g.shape().dims());
        try {
            NativeStatus.check(NativeKernels.rp_layernorm_adjoint_cpu(p(g), p(scale), p(y), rows, cols), "rp_layernorm_adjoint_cpu");
        } catch (RuntimeException e) {
            y.close();
            throw e;
        }
        return y;
    }

    @Override
    public Tensor tokensToPatchGrid(Tensor g, Shape patches) {
        Shape gs = g.shape();
        long grid = patches.dim(2) * patches.dim(3);
        if (gs.rank() != 3 || gs.dim(1) != grid + 1 || gs.dim(0) != patches.dim(0) || gs.dim(2) != patches.dim(1)) {
            throw new IllegalArgumentException("token relevance " + gs + " does not fit the patch grid " + patches);
        }
        Tensor y = empty(patches.dims());
        try {
            NativeStatus.check(NativeKernels.rp_tokens_to_grid_cpu(p(g), p(y), gs.dim(0), gs.dim(2), grid), "rp_tokens_to_grid_cpu");
        } catch (RuntimeException e) {
            y.close();
            throw e;
        }
        return y;
    }
}
