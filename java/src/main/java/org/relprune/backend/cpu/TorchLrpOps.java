package org.relprune.backend.cpu;

import static org.relprune.backend.cpu.TorchTensors.t;
import static org.relprune.backend.cpu.TorchTensors.wrap;

import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.relprune.backend.Conv2dSpec;
import org.relprune.backend.FeatureLayout;
import org.relprune.backend.LrpOps;
import org.relprune.backend.Pool2dSpec;
import org.relprune.tensor.Shape;
import org.relprune.tensor.Tensor;

/**
 * LRP operations on the CPU through libtorch tensor arithmetic. The elementwise stages
 * ({@link #signals}, {@link #combine}, {@link #ratio}) are written as plain tensor expressions
 * here: {@link NativeLrpOps} replaces them with the fused native kernels, and the tests hold the
 * two against each other.
 */
class TorchLrpOps implements LrpOps {
    /** Like {@link #scoped} for several results. */
    static Tensor[] scopedAll(java.util.function.Supplier<org.bytedeco.pytorch.Tensor[]> f) {
        org.bytedeco.pytorch.Tensor[] results;
        try (PointerScope scope = new PointerScope()) {
            org.bytedeco.pytorch.Tensor[] made = f.get();
            results = new org.bytedeco.pytorch.Tensor[made.length];
            for (int i = 0; i < made.length; i++) {
                results[i] = new org.bytedeco.pytorch.Tensor(made[i]);
                results[i].retainReference();
                scope.detach(results[i]);
            }
        }
        Tensor[] wrapped = new Tensor[results.length];
        for (int i = 0; i < results.length; i++) {
            wrapped[i] = wrap(results[i]);
        }
        return wrapped;
    }

    static Tensor scoped(java.util.function.Supplier<org.bytedeco.pytorch.Tensor> f) {
        return scopedAll(() -> new org.bytedeco.pytorch.Tensor[] {f.get()})[0];
    }

    @Override
    public Tensor convAdjoint(Tensor s, Tensor w, Conv2dSpec spec, Shape input) {
        return scoped(() -> ConvAdjoints.adjoint(s, w, spec, input));
    }

    @Override
    public Tensor linearAdjoint(Tensor s, Tensor w) {
        return scoped(() -> torch.matmul(t(s), t(w)));
    }

    @Override
    public Tensor maxPoolWinners(Tensor relevance, Tensor x, Pool2dSpec s) {
        return scoped(() -> {
            long[] k = {s.kernelH(), s.kernelW()};
            long[] st = {s.strideH(), s.strideW()};
            long[] p = {s.padH(), s.padW()};
            long[] d = {1, 1};
            // the gradient of max pooling routes each output's value to its window's winner, adding where windows share one
            org.bytedeco.pytorch.Tensor indices = torch.max_pool2d_with_indices(t(x), k, st, p, d, false).get1();
            return torch.max_pool2d_with_indices_backward(t(relevance), t(x), k, st, p, d, false, indices);
        });
    }

    @Override
    public Tensor avgPoolAdjoint(Tensor g, Shape input, Pool2dSpec s) {
        return scoped(() -> {
            org.bytedeco.pytorch.Tensor like = torch.zeros(input.dims());
            return torch.avg_pool2d_backward(t(g), like, new long[] {s.kernelH(), s.kernelW()}, new long[] {s.strideH(), s.strideW()},
                    new long[] {s.padH(), s.padW()}, false, true, new LongOptional());
        });
    }

    @Override
    public Tensor adaptiveAvgPoolAdjoint(Tensor g, Shape input) {
        // adaptive pooling is linear: its adjoint is its gradient, taken with autograd
        return scoped(() -> {
            org.bytedeco.pytorch.Tensor x = torch.zeros(input.dims());
            x.requires_grad_(true);
            org.bytedeco.pytorch.Tensor y = torch.adaptive_avg_pool2d(x, g.shape().dim(2), g.shape().dim(3));
            y.backward(t(g), new org.bytedeco.pytorch.BoolOptional(), false, new org.bytedeco.pytorch.TensorArrayRefOptional());
            return x.grad().detach();
        });
    }

    private static org.bytedeco.pytorch.Tensor feature(org.bytedeco.pytorch.Tensor v, long rank, int axis) {
        long[] view = new long[(int) rank];
        java.util.Arrays.fill(view, 1);
        view[axis < 0 ? (int) rank + axis : axis] = -1;
        return v.view(view);
    }

    private static org.bytedeco.pytorch.Tensor stabilize(org.bytedeco.pytorch.Tensor den, double eps) {
        // stab(z) = z + eps * sgn(z), sgn(0) = +1
        org.bytedeco.pytorch.Tensor sign = torch.where(den.ge(new Scalar(0.0)), new Scalar(1.0), new Scalar(-1.0));
        return den.add(sign.mul(new Scalar(eps)));
    }

    @Override
    public Signals signals(Tensor relevance, Tensor z, Tensor u, Tensor bias, Tensor offset, List<SignalSpec> specs, int axis, int readoutGroup) {
        Tensor stacked = scoped(() -> {
            long rank = z.shape().rank();
            org.bytedeco.pytorch.Tensor zt = t(z);
            org.bytedeco.pytorch.Tensor b = bias == null ? null : feature(t(bias), rank, axis);
            org.bytedeco.pytorch.Tensor bp = b == null ? null : torch.clamp_min(b, new Scalar(0.0));
            org.bytedeco.pytorch.Tensor bn = b == null ? null : torch.clamp_max(b, new Scalar(0.0));
            TensorVector parts = new TensorVector();
            for (SignalSpec sp : specs) {
                org.bytedeco.pytorch.Tensor den = zt.mul(new Scalar(sp.cz()));
                if (sp.cu() != 0) {
                    den = den.add(t(u).mul(new Scalar(sp.cu())));
                }
                if (b != null) {
                    if (sp.cb() != 0) {
                        den = den.add(b.mul(new Scalar(sp.cb())));
                    }
                    if (sp.cbp() != 0) {
                        den = den.add(bp.mul(new Scalar(sp.cbp())));
                    }
                    if (sp.cbn() != 0) {
                        den = den.add(bn.mul(new Scalar(sp.cbn())));
                    }
                }
                if (sp.cOffset() != 0) {
                    den = den.add(t(offset).mul(new Scalar(sp.cOffset())));
                }
                org.bytedeco.pytorch.Tensor s = t(relevance).div(stabilize(den, sp.epsilon())).mul(new Scalar(sp.coefficient()));
                if (sp.mask() == Mask.POSITIVE) {
                    s = s.mul(zt.gt(new Scalar(0.0)));
                } else if (sp.mask() == Mask.NEGATIVE) {
                    s = s.mul(zt.lt(new Scalar(0.0)));
                }
                parts.push_back(s);
            }
            return torch.cat(parts, axis);
        });
        if (readoutGroup <= 0) {
            return new Signals(stacked, null, null);
        }
        FeatureLayout f = FeatureLayout.of(relevance.shape(), axis);
        if (f.outer() % readoutGroup != 0) {
            throw new IllegalArgumentException("read-out group " + readoutGroup + " does not divide the " + f.outer() + " rows of " + relevance.shape());
        }
        long[] view = {f.outer() / readoutGroup, readoutGroup, f.c(), f.inner()};
        Tensor sums = scoped(() -> t(relevance).reshape(view).sum(new long[] {1, 3}, false, new org.bytedeco.pytorch.ScalarTypeOptional()));
        Tensor absSums = scoped(() -> t(relevance).abs().reshape(view).sum(new long[] {1, 3}, false, new org.bytedeco.pytorch.ScalarTypeOptional()));
        return new Signals(stacked, sums, absSums);
    }

    @Override
    public Tensor ratio(Tensor numerator, Tensor denominator, Tensor x, double epsilon) {
        return scoped(() -> t(x).mul(t(numerator).div(stabilize(t(denominator), epsilon))));
    }

    @Override
    public boolean nonNegative(Tensor x) {
        try (PointerScope scope = new PointerScope()) {
            return x.numel() == 0 || t(x).min().item_float() >= 0f;
        }
    }

    @Override
    public Tensor combine(Tensor g, Tensor x, List<CombineTerm> terms, int axis) {
        return scoped(() -> {
            long c = x.shape().dim(axis);
            org.bytedeco.pytorch.Tensor xt = t(x);
            org.bytedeco.pytorch.Tensor sum = null;
            for (int i = 0; i < terms.size(); i++) {
                CombineTerm term = terms.get(i);
                org.bytedeco.pytorch.Tensor block = t(g).narrow(axis, i * c, c);
                org.bytedeco.pytorch.Tensor part = switch (term.factor()) {
                    case X -> block.mul(xt);
                    case X_POS -> block.mul(torch.clamp_min(xt, new Scalar(0.0)));
                    case X_NEG -> block.mul(torch.clamp_max(xt, new Scalar(0.0)));
                    case CONSTANT -> block.mul(new Scalar(term.constant()));
                    case X_PLUS -> block.mul(xt.add(new Scalar(term.constant())));
                };
                sum = sum == null ? part : sum.add(part);
            }
            return sum;
        });
    }

    @Override
    public Tensor stabilizedDivide(Tensor numerator, Tensor denominator, double epsilon) {
        return scoped(() -> t(numerator).div(stabilize(t(denominator), epsilon)));
    }

    @Override
    public Tensor multiply(Tensor a, Tensor b) {
        return scoped(() -> t(a).mul(t(b)));
    }

    @Override
    public Tensor splitSigns(Tensor x, int axis) {
        return scoped(() -> torch.cat(new TensorVector(torch.clamp_min(t(x), new Scalar(0.0)), torch.clamp_max(t(x), new Scalar(0.0))), axis));
    }

    @Override
    public Tensor sumPerChannel(Tensor x, boolean abs) {
        return scoped(() -> {
            org.bytedeco.pytorch.Tensor v = abs ? t(x).abs() : t(x);
            return x.shape().rank() == 2 ? v : v.flatten(2, -1).sum(new long[] {2}, false, new org.bytedeco.pytorch.ScalarTypeOptional());
        });
    }

    @Override
    public Tensor sumOverTokens(Tensor x, boolean abs) {
        return scoped(() -> (abs ? t(x).abs() : t(x)).sum(new long[] {1}, false, new org.bytedeco.pytorch.ScalarTypeOptional()));
    }

    @Override
    public Tensor oneHot(int[] targets, int classes) {
        return wrap(TorchTensors.fromHost(LrpOps.oneHotRows(targets, classes)));
    }

    @Override
    public Tensor zerosLike(Tensor x) {
        return wrap(torch.zeros(x.shape().dims()));
    }

    @Override
    public Tensor full(Shape shape, double value) {
        return scoped(() -> torch.ones(shape.dims()).mul(new Scalar(value)));
    }

    @Override
    public Tensor concat(List<Tensor> parts, int axis) {
        return scoped(() -> {
            TensorVector v = new TensorVector();
            for (Tensor p : parts) {
                v.push_back(t(p));
            }
            return torch.cat(v, axis);
        });
    }

    @Override
    public Tensor tokensToPatchGrid(Tensor g, Shape patches) {
        return scoped(() -> {
            long n = t(g).size(1);
            return t(g).narrow(1, 1, n - 1).permute(0, 2, 1).reshape(patches.dims());
        });
    }

    @Override
    public Tensor scatterToken(Tensor r, int index, Shape input) {
        return scoped(() -> {
            org.bytedeco.pytorch.Tensor z = torch.zeros(input.dims());
            z.select(1, index).copy_(t(r));
            return z;
        });
    }

    @Override
    public Tensor layerNormScale(Tensor x, Tensor gamma, float eps) {
        return scoped(() -> {
            org.bytedeco.pytorch.Tensor xt = t(x);
            long[] last = {-1};
            org.bytedeco.pytorch.Tensor mean = xt.mean(last, true, new org.bytedeco.pytorch.ScalarTypeOptional());
            org.bytedeco.pytorch.Tensor centred = xt.sub(mean);
            org.bytedeco.pytorch.Tensor var = centred.mul(centred).mean(last, true, new org.bytedeco.pytorch.ScalarTypeOptional());
            return t(gamma).div(var.add(new Scalar((double) eps)).sqrt());
        });
    }

    @Override
    public Tensor layerNormAdjoint(Tensor g, Tensor scale) {
        return scoped(() -> {
            org.bytedeco.pytorch.Tensor v = t(g).mul(t(scale));
            return v.sub(v.mean(new long[] {-1}, true, new org.bytedeco.pytorch.ScalarTypeOptional()));
        });
    }

    @Override
    public Tensor attentionWeights(Tensor qkv, int heads) {
        return scoped(() -> {
            org.bytedeco.pytorch.Tensor p = t(qkv);
            long b = p.size(0);
            long n = p.size(1);
            long dh = p.size(2) / 3 / heads;
            org.bytedeco.pytorch.Tensor split = p.reshape(b, n, 3, heads, dh).permute(2, 0, 3, 1, 4); // [3, b, h, n, dh]
            return torch.softmax(torch.matmul(split.select(0, 0), split.select(0, 1).transpose(-2, -1)).mul(new Scalar(1.0 / Math.sqrt(dh))), -1);
        });
    }

    @Override
    public AttentionRelevance attention(Tensor qkv, Tensor weights, Tensor out, Tensor r, int heads, AttentionMode mode, double epsilon) {
        Tensor[] parts = scopedAll(() -> {
            org.bytedeco.pytorch.Tensor p = t(qkv);
            long b = p.size(0);
            long n = p.size(1);
            long d = p.size(2) / 3;
            long dh = d / heads;
            double scale = 1.0 / Math.sqrt(dh);
            org.bytedeco.pytorch.Tensor split = p.reshape(b, n, 3, heads, dh).permute(2, 0, 3, 1, 4); // [3, b, h, n, dh]
            org.bytedeco.pytorch.Tensor q = split.select(0, 0);
            org.bytedeco.pytorch.Tensor k = split.select(0, 1);
            org.bytedeco.pytorch.Tensor v = split.select(0, 2);
            org.bytedeco.pytorch.Tensor a = t(weights); // [b, h, n, n]
            org.bytedeco.pytorch.Tensor g = t(r).div(stabilize(t(out), epsilon)).reshape(b, n, heads, dh).permute(0, 2, 1, 3); // [b, h, n, dh]
            org.bytedeco.pytorch.Tensor gv = torch.matmul(a.transpose(-2, -1), g); // the gradient at V
            org.bytedeco.pytorch.Tensor rq;
            org.bytedeco.pytorch.Tensor rk;
            org.bytedeco.pytorch.Tensor rv;
            org.bytedeco.pytorch.Tensor perQuery; // [b, h, n]: the head's relevance per query
            long[] last = {-1};
            if (mode == AttentionMode.CONSTANT_WEIGHTS) {
                rv = v.mul(gv);
                rq = torch.zeros_like(q);
                rk = torch.zeros_like(k);
                perQuery = t(r).reshape(b, n, heads, dh).sum(last, false, new org.bytedeco.pytorch.ScalarTypeOptional()).permute(0, 2, 1);
            } else {
                Scalar half = new Scalar(0.5);
                rv = v.mul(gv).mul(half);
                org.bytedeco.pytorch.Tensor ga = torch.matmul(g, v.transpose(-2, -1)).mul(half); // half the gradient at A
                org.bytedeco.pytorch.Tensor ra = a.mul(ga); // relevance at the softmax output
                perQuery = ra.sum(last, false, new org.bytedeco.pytorch.ScalarTypeOptional());
                // softmax rule = the softmax's own gradient: gS = A * (gA - sum_keys A * gA)
                org.bytedeco.pytorch.Tensor gs = a.mul(ga.sub(ra.sum(last, true, new org.bytedeco.pytorch.ScalarTypeOptional())));
                Scalar hs = new Scalar(0.5 * scale);
                rq = q.mul(torch.matmul(gs, k)).mul(hs);
                rk = k.mul(torch.matmul(gs.transpose(-2, -1), q)).mul(hs);
            }
            org.bytedeco.pytorch.Tensor packed = torch.stack(new TensorVector(rq, rk, rv), 0) // [3, b, h, n, dh]
                    .permute(1, 3, 0, 2, 4).reshape(b, n, 3 * d);
            long[] queries = {2};
            org.bytedeco.pytorch.Tensor headSums = perQuery.sum(queries, false, new org.bytedeco.pytorch.ScalarTypeOptional());
            org.bytedeco.pytorch.Tensor headAbs = perQuery.abs().sum(queries, false, new org.bytedeco.pytorch.ScalarTypeOptional());
            return new org.bytedeco.pytorch.Tensor[] {packed, headSums, headAbs};
        });
        return new AttentionRelevance(parts[0], parts[1], parts[2]);
    }

    @Override
    public Tensor weightPart(Tensor w, WeightPart part) {
        return scoped(() -> switch (part) {
            case POSITIVE -> torch.clamp_min(t(w), new Scalar(0.0));
            case NEGATIVE -> torch.clamp_max(t(w), new Scalar(0.0));
            case SQUARE -> t(w).mul(t(w));
            case ONES -> torch.ones_like(t(w));
        });
    }
}
