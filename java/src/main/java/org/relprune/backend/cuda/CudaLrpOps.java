package org.relprune.backend.cuda;

import static org.relprune.backend.cuda.Cuda.check;
import static org.relprune.backend.cuda.Cuda.checkCublas;
import static org.relprune.backend.cuda.Cuda.checkCudnn;

import java.util.List;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.cuda.global.cudnn;
import org.bytedeco.javacpp.DoublePointer;
import org.relprune.backend.Conv2dSpec;
import org.relprune.backend.FeatureLayout;
import org.relprune.backend.LrpOps;
import org.relprune.backend.OpShapes;
import org.relprune.backend.Pool2dSpec;
import org.relprune.backend.jni.NativeCudaKernels;
import org.relprune.backend.jni.NativeStatus;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Shape;
import org.relprune.tensor.Tensor;
import org.relprune.tensor.TensorScope;

/**
 * The LRP stages on the GPU: the dense adjoints through cuDNN (backward data, algorithm cached
 * per shape) and cuBLAS, every elementwise stage through our CUDA kernels, the twins of the
 * native CPU kernels that {@code NativeLrpOps} calls (native/src/cuda). Everything runs on the
 * backend's stream; nothing here synchronizes except {@link #nonNegative} (its answer goes to
 * the host) and host round trips of small weight tensors.
 *
 * <p>The vision-transformer steps compose the same way: LayerNorm and the softmax's adjoint as
 * row kernels, the attention products as cuBLAS strided-batched GEMMs, the layouts as the
 * inverses of the forward's kernels.
 */
final class CudaLrpOps implements LrpOps {
    private final CudaBackend b;

    CudaLrpOps(CudaBackend backend) {
        this.b = backend;
    }

    private static void sameShape(String what, Tensor t, Shape expected) {
        OpShapes.sameShape(what, t, expected);
    }

    // ---- dense adjoints ----------------------------------------------------------------------

    @Override
    public Tensor convAdjoint(Tensor s, Tensor w, Conv2dSpec spec, Shape input) {
        b.checkOpen();
        Shape out = OpShapes.conv2d(input, w.shape(), spec);
        sameShape("conv adjoint input s", s, out);
        return b.produce(input, y -> {
            CudnnConvolutions.Plan plan = b.convolutions().backwardDataPlan(input, w.shape(), spec, out);
            DeviceAllocator.Block ws = plan.workspaceBytes > 0 ? b.allocator().allocate(plan.workspaceBytes) : null;
            try {
                checkCudnn(cudnn.cudnnConvolutionBackwardData(b.cudnn(), b.onePointer(), plan.w, b.ptr(w), plan.y, b.ptr(s), plan.conv,
                        plan.algo, ws == null ? null : new Cuda.DevicePointer(ws.address()), plan.workspaceBytes, b.zeroPointer(), plan.x,
                        b.ptr(y)), "cudnnConvolutionBackwardData(s " + s.shape() + ", weight " + w.shape() + ", " + plan + ")");
            } finally {
                if (ws != null) {
                    ws.release();
                }
            }
        });
    }

    @Override
    public Tensor linearAdjoint(Tensor s, Tensor w) {
        b.checkOpen();
        Shape ss = s.shape();
        long outFeatures = w.shape().dim(0);
        long in = w.shape().dim(1);
        if (ss.dim(-1) != outFeatures) {
            throw new IllegalArgumentException("linear adjoint: s " + ss + " does not end in the " + outFeatures + " outputs of weight " + w.shape());
        }
        long rows = ss.numel() / Math.max(1, outFeatures);
        long[] dims = ss.dims();
        dims[dims.length - 1] = in;
        return b.produce(Shape.of(dims), y -> {
            if (outFeatures == 0) {
                b.zeroFill(y);
                return;
            }
            // row-major y[rows,in] = s[rows,out] w[out,in], i.e. column-major y^T = w^T s^T with
            // the buffers of w and s read as the column-major w^T [in,out] and s^T [out,rows]
            checkCublas(cublas.cublasSgemm_v2(b.cublas(), cublas.CUBLAS_OP_N, cublas.CUBLAS_OP_N, dim(in), dim(rows), dim(outFeatures),
                    b.onePointer(), b.ptr(w), dim(in), b.ptr(s), dim(outFeatures), b.zeroPointer(), b.ptr(y), dim(in)),
                    "cublasSgemm(linear adjoint " + ss + " x " + w.shape() + ")");
        });
    }

    private static int dim(long v) {
        if (v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("matrix dimension " + v + " is too large for cuBLAS (int)");
        }
        return (int) v;
    }

    // ---- pooling -----------------------------------------------------------------------------

    @Override
    public Tensor maxPoolWinners(Tensor relevance, Tensor x, Pool2dSpec spec) {
        b.checkOpen();
        Shape out = OpShapes.pool2d("maxPoolWinners", x, spec);
        sameShape("max pool relevance", relevance, out);
        Shape xs = x.shape();
        return b.produce(xs, y -> NativeStatus.check(NativeCudaKernels.rp_lrp_max_pool2d_winners_cuda(b.ptr(x), b.ptr(relevance), b.ptr(y),
                xs.dim(0), xs.dim(1), xs.dim(2), xs.dim(3), spec.kernelH(), spec.kernelW(), spec.strideH(), spec.strideW(), spec.padH(),
                spec.padW(), out.dim(2), out.dim(3), b.stream()), "rp_lrp_max_pool2d_winners_cuda"));
    }

    @Override
    public Tensor avgPoolAdjoint(Tensor g, Shape input, Pool2dSpec spec) {
        b.checkOpen();
        Shape out = OpShapes.pool2d("avgPoolAdjoint", input, spec);
        sameShape("avg pool gradient", g, out);
        return b.produce(input, y -> NativeStatus.check(NativeCudaKernels.rp_avg_pool2d_adjoint_cuda(b.ptr(g), b.ptr(y), input.dim(0),
                input.dim(1), input.dim(2), input.dim(3), spec.kernelH(), spec.kernelW(), spec.strideH(), spec.strideW(), spec.padH(),
                spec.padW(), out.dim(2), out.dim(3), b.stream()), "rp_avg_pool2d_adjoint_cuda"));
    }

    @Override
    public Tensor adaptiveAvgPoolAdjoint(Tensor g, Shape input) {
        b.checkOpen();
        Shape gs = OpShapes.adaptivePoolAdjoint(g, input);
        return b.produce(input, y -> NativeStatus.check(NativeCudaKernels.rp_adaptive_avg_pool2d_adjoint_cuda(b.ptr(g), b.ptr(y),
                input.dim(0), input.dim(1), input.dim(2), input.dim(3), gs.dim(2), gs.dim(3), b.stream()), "rp_adaptive_avg_pool2d_adjoint_cuda"));
    }

    // ---- rule stages -------------------------------------------------------------------------

    @Override
    public Signals signals(Tensor relevance, Tensor z, Tensor u, Tensor bias, Tensor offset, List<SignalSpec> specs, int axis, int readoutGroup) {
        b.checkOpen();
        Shape zs = z.shape();
        FeatureLayout f = FeatureLayout.forSignals(relevance, z, u, bias, offset, axis, readoutGroup);
        int k = specs.size();
        Shape readout = readoutGroup > 0 ? Shape.of(f.outer() / readoutGroup, f.c()) : null;
        Tensor sums = readout == null ? null : b.empty(readout);
        Tensor absSums = readout == null ? null : b.empty(readout);
        try (DoublePointer sp = new DoublePointer(FeatureLayout.packSignals(specs))) {
            Tensor s = b.produce(FeatureLayout.stacked(zs, axis, k), st -> NativeStatus.check(NativeCudaKernels.rp_lrp_signals_cuda(
                    b.ptr(relevance), b.ptr(z), b.ptrOrNull(u), b.ptrOrNull(bias), b.ptrOrNull(offset), sp, k, f.outer(), f.c(), f.inner(),
                    b.ptr(st), Math.max(readoutGroup, 1), b.ptrOrNull(sums), b.ptrOrNull(absSums), b.stream()), "rp_lrp_signals_cuda"));
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
        b.checkOpen();
        FeatureLayout f = FeatureLayout.of(x.shape(), axis);
        int k = terms.size();
        if (g.numel() != x.numel() * k) {
            throw new IllegalArgumentException("stacked " + g.shape() + " does not hold " + k + " blocks shaped like x " + x.shape());
        }
        try (DoublePointer tp = new DoublePointer(FeatureLayout.packTerms(terms))) {
            return b.produce(x.shape(), y -> NativeStatus.check(NativeCudaKernels.rp_lrp_combine_cuda(b.ptr(g), b.ptr(x), tp, k, f.outer(),
                    f.c(), f.inner(), b.ptr(y), b.stream()), "rp_lrp_combine_cuda"));
        }
    }

    @Override
    public Tensor stabilizedDivide(Tensor numerator, Tensor denominator, double epsilon) {
        return ratioOf(numerator, denominator, null, epsilon);
    }

    @Override
    public Tensor ratio(Tensor numerator, Tensor denominator, Tensor x, double epsilon) {
        return ratioOf(numerator, denominator, x, epsilon);
    }

    private Tensor ratioOf(Tensor numerator, Tensor denominator, Tensor x, double epsilon) {
        b.checkOpen();
        Shape s = numerator.shape();
        sameShape("denominator", denominator, s);
        sameShape("x", x, s);
        return b.produce(s, y -> NativeStatus.check(NativeCudaKernels.rp_lrp_ratio_cuda(b.ptr(numerator), b.ptr(denominator), b.ptrOrNull(x),
                b.ptr(y), s.numel(), epsilon, b.stream()), "rp_lrp_ratio_cuda"));
    }

    @Override
    public Tensor multiply(Tensor a, Tensor x) {
        b.checkOpen();
        sameShape("multiply operand", x, a.shape());
        // a one-term combine: x * a, elementwise
        try (DoublePointer tp = new DoublePointer(new double[] {0, 1})) {
            return b.produce(a.shape(), y -> NativeStatus.check(NativeCudaKernels.rp_lrp_combine_cuda(b.ptr(a), b.ptr(x), tp, 1, 1, 1,
                    a.numel(), b.ptr(y), b.stream()), "rp_lrp_combine_cuda"));
        }
    }

    @Override
    public boolean nonNegative(Tensor x) {
        b.checkOpen();
        if (x.numel() == 0) {
            return true;
        }
        // one int of device memory, read back: the answer decides which rule terms run
        try (Tensor flag = b.empty(Shape.of(1))) {
            NativeStatus.check(NativeCudaKernels.rp_any_negative_cuda(b.ptr(x), x.numel(), b.ptr(flag), b.stream()), "rp_any_negative_cuda");
            return Float.floatToRawIntBits(b.download(flag).data()[0]) == 0;
        }
    }

    @Override
    public Tensor splitSigns(Tensor x, int axis) {
        b.checkOpen();
        FeatureLayout f = FeatureLayout.of(x.shape(), axis);
        return b.produce(FeatureLayout.stacked(x.shape(), axis, 2), y -> NativeStatus.check(NativeCudaKernels.rp_split_signs_cuda(b.ptr(x),
                b.ptr(y), f.outer(), f.c(), f.inner(), b.stream()), "rp_split_signs_cuda"));
    }

    // ---- read-outs ---------------------------------------------------------------------------

    @Override
    public Tensor sumPerChannel(Tensor x, boolean abs) {
        FeatureLayout f = FeatureLayout.of(x.shape(), 1);
        return featureSums(x, f, 1, Shape.of(f.outer(), f.c()), abs);
    }

    @Override
    public Tensor sumOverTokens(Tensor x, boolean abs) {
        Shape s = x.shape();
        if (s.rank() != 3) {
            throw new IllegalArgumentException("sumOverTokens: x " + s + " must be [b, tokens, features]");
        }
        return featureSums(x, new FeatureLayout(s.dim(0) * s.dim(1), s.dim(2), 1), s.dim(1), Shape.of(s.dim(0), s.dim(2)), abs);
    }

    private Tensor featureSums(Tensor x, FeatureLayout f, long group, Shape out, boolean abs) {
        b.checkOpen();
        return b.produce(out, y -> NativeStatus.check(NativeCudaKernels.rp_feature_sums_cuda(b.ptr(x), f.outer(), f.c(), f.inner(), group,
                abs ? null : b.ptr(y), abs ? b.ptr(y) : null, b.stream()), "rp_feature_sums_cuda"));
    }

    // ---- constants and layout ----------------------------------------------------------------

    @Override
    public Tensor oneHot(int[] targets, int classes) {
        return b.upload(LrpOps.oneHotRows(targets, classes));
    }

    @Override
    public Tensor zerosLike(Tensor x) {
        return b.produce(x.shape(), b::zeroFill);
    }

    @Override
    public Tensor full(Shape shape, double value) {
        float[] v = new float[shape.numelInt()];
        java.util.Arrays.fill(v, (float) value);
        return b.upload(new HostTensor(shape, v));
    }

    @Override
    public Tensor concat(List<Tensor> parts, int axis) {
        b.checkOpen();
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("concat of no tensors");
        }
        Shape first = parts.get(0).shape();
        int a = axis < 0 ? first.rank() + axis : axis;
        long total = 0;
        for (Tensor p : parts) {
            Shape ps = p.shape();
            for (int i = 0; i < first.rank(); i++) {
                if (i != a && ps.dim(i) != first.dim(i)) {
                    throw new IllegalArgumentException("concat along axis " + axis + ": " + ps + " does not fit " + first);
                }
            }
            total += ps.dim(a);
        }
        long[] dims = first.dims();
        dims[a] = total;
        Shape out = Shape.of(dims);
        FeatureLayout fo = FeatureLayout.of(out, a);
        return b.produce(out, y -> {
            // each part is a block of rows: outer rows of (its width x inner) floats, placed at its
            // offset within the output's rows
            long offset = 0;
            for (Tensor p : parts) {
                FeatureLayout fp = FeatureLayout.of(p.shape(), a);
                long width = fp.c() * fp.inner() * 4;
                if (width > 0 && fp.outer() > 0) {
                    check(cudart.cudaMemcpy2DAsync(new Cuda.DevicePointer(b.ptr(y).address() + offset), fo.c() * fo.inner() * 4, b.ptr(p), width,
                            width, fp.outer(), cudart.cudaMemcpyDeviceToDevice, b.stream()), "cudaMemcpy2DAsync(concat)");
                }
                offset += width;
            }
        });
    }

    @Override
    public Tensor weightPart(Tensor w, WeightPart part) {
        // weights are small and the callers cache each part per layer: made on the host
        float[] v = b.download(w).data();
        for (int i = 0; i < v.length; i++) {
            v[i] = switch (part) {
                case POSITIVE -> Math.max(v[i], 0f);
                case NEGATIVE -> Math.min(v[i], 0f);
                case SQUARE -> v[i] * v[i];
                case ONES -> 1f;
            };
        }
        return b.upload(new HostTensor(w.shape(), v));
    }

    // ---- vision transformers -----------------------------------------------------------------

    @Override
    public Tensor tokensToPatchGrid(Tensor g, Shape patches) {
        b.checkOpen();
        long grid = OpShapes.patchGrid(g, patches);
        Shape gs = g.shape();
        return b.produce(patches, y -> NativeStatus.check(NativeCudaKernels.rp_tokens_to_grid_cuda(b.ptr(g), b.ptr(y), gs.dim(0), gs.dim(2), grid,
                b.stream()), "rp_tokens_to_grid_cuda"));
    }

    @Override
    public Tensor scatterToken(Tensor r, int index, Shape input) {
        b.checkOpen();
        long n = input.dim(1);
        long d = input.dim(2);
        if (r.shape().rank() != 2 || r.shape().dim(0) != input.dim(0) || r.shape().dim(1) != d || index < 0 || index >= n) {
            throw new IllegalArgumentException("token " + index + " relevance " + r.shape() + " does not fit " + input);
        }
        return b.produce(input, y -> {
            b.zeroFill(y);
            // row i of r to token `index` of sample i: a strided copy
            check(cudart.cudaMemcpy2DAsync(new Cuda.DevicePointer(b.ptr(y).address() + index * d * 4), n * d * 4, b.ptr(r), d * 4, d * 4,
                    input.dim(0), cudart.cudaMemcpyDeviceToDevice, b.stream()), "cudaMemcpy2DAsync(scatter token)");
        });
    }

    @Override
    public Tensor layerNormScale(Tensor x, Tensor gamma, float eps) {
        b.checkOpen();
        long cols = x.shape().dim(-1);
        long rows = cols == 0 ? 0 : x.numel() / cols;
        sameShape("LayerNorm gamma", gamma, Shape.of(cols));
        return b.produce(x.shape(), y -> NativeStatus.check(NativeCudaKernels.rp_layernorm_scale_cuda(b.ptr(x), b.ptrOrNull(gamma), b.ptr(y), rows,
                cols, eps, b.stream()), "rp_layernorm_scale_cuda"));
    }

    @Override
    public Tensor layerNormAdjoint(Tensor g, Tensor scale) {
        b.checkOpen();
        sameShape("LayerNorm scale", scale, g.shape());
        long cols = g.shape().dim(-1);
        long rows = cols == 0 ? 0 : g.numel() / cols;
        return b.produce(g.shape(), y -> NativeStatus.check(NativeCudaKernels.rp_layernorm_adjoint_cuda(b.ptr(g), b.ptr(scale), b.ptr(y), rows, cols,
                b.stream()), "rp_layernorm_adjoint_cuda"));
    }

    @Override
    public Tensor attentionWeights(Tensor qkv, int heads) {
        b.checkOpen();
        long dh = qkv.shape().dim(2) / 3 / heads;
        try (TensorScope scope = TensorScope.open()) {
            Tensor parts = b.splitHeads(qkv, heads); // [3, b, h, n, dh]
            Tensor scores = b.matmul(b.select(parts, 0), b.select(parts, 1), true, (float) (1.0 / Math.sqrt(dh)));
            return scope.keep(b.softmax(scores)); // [b, h, n, n]
        }
    }

    @Override
    public AttentionRelevance attention(Tensor qkv, Tensor weights, Tensor out, Tensor r, int heads, AttentionMode mode, double epsilon) {
        b.checkOpen();
        Shape qs = qkv.shape();
        long bs = qs.dim(0);
        long n = qs.dim(1);
        long d = qs.dim(2) / 3;
        long dh = d / heads;
        sameShape("attention output", out, Shape.of(bs, n, d));
        sameShape("attention relevance", r, Shape.of(bs, n, d));
        sameShape("attention weights", weights, Shape.of(bs, heads, n, n));
        double scale = 1.0 / Math.sqrt(dh);
        try (TensorScope scope = TensorScope.open()) {
            Tensor parts = b.splitHeads(qkv, heads); // [3, b, h, n, dh]
            Tensor q = b.select(parts, 0);
            Tensor k = b.select(parts, 1);
            Tensor v = b.select(parts, 2);
            Tensor g = ratioOf(r, out, null, epsilon); // the gradient at the output [b, n, d]
            Tensor gh = b.produce(Shape.of(bs, heads, n, dh), y -> NativeStatus.check(NativeCudaKernels.rp_unmerge_heads_cuda(b.ptr(g), b.ptr(y),
                    bs, heads, n, dh, b.stream()), "rp_unmerge_heads_cuda"));
            long batch = bs * heads;
            Tensor rq;
            Tensor rk;
            Tensor rv;
            Tensor headSums;
            Tensor headsAbs;
            if (mode == AttentionMode.CONSTANT_WEIGHTS) {
                rv = multiply(v, gemmTransposedA(weights, gh, batch, n, n, dh, 1f)); // V * A^T g
                rq = zerosLike(q);
                rk = zerosLike(k);
                // per query and head: R summed over the head's channels [b*n, h]; then over queries
                Tensor perQuery = featureSums(r, new FeatureLayout(bs * n, heads, dh), 1, Shape.of(bs, n, heads), false);
                headSums = featureSums(perQuery, new FeatureLayout(bs * n, heads, 1), n, Shape.of(bs, heads), false);
                headsAbs = featureSums(perQuery, new FeatureLayout(bs * n, heads, 1), n, Shape.of(bs, heads), true);
            } else {
                rv = multiply(v, gemmTransposedA(weights, gh, batch, n, n, dh, 0.5f)); // V * A^T g / 2
                Tensor ga = b.matmul(gh, v, true, 0.5f); // half the gradient at A [b, h, n, n]
                Tensor ra = multiply(weights, ga); // relevance at the softmax output
                Tensor gs = b.produce(ga.shape(), y -> NativeStatus.check(NativeCudaKernels.rp_softmax_adjoint_cuda(b.ptr(weights), b.ptr(ga), b.ptr(y),
                        batch * n, n, b.stream()), "rp_softmax_adjoint_cuda"));
                float hs = (float) (0.5 * scale);
                rq = multiply(q, b.matmul(gs, k, false, hs));
                rk = multiply(k, gemmTransposedA(gs, q, batch, n, n, dh, hs));
                Tensor perQuery = featureSums(ra, new FeatureLayout(batch * n, 1, n), 1, Shape.of(batch * n, 1), false); // over keys
                headSums = featureSums(perQuery, new FeatureLayout(batch, 1, n), 1, Shape.of(bs, heads), false);
                headsAbs = featureSums(perQuery, new FeatureLayout(batch, 1, n), 1, Shape.of(bs, heads), true);
            }
            Shape one = Shape.of(1, bs, heads, n, dh);
            Tensor stacked = concat(List.of(b.reshape(rq, one), b.reshape(rk, one), b.reshape(rv, one)), 0); // [3, b, h, n, dh]
            Tensor packed = b.produce(qs, y -> NativeStatus.check(NativeCudaKernels.rp_merge_qkv_cuda(b.ptr(stacked), b.ptr(y), bs, n, heads, dh,
                    b.stream()), "rp_merge_qkv_cuda"));
            return new AttentionRelevance(scope.keep(packed), scope.keep(headSums), scope.keep(headsAbs));
        }
    }

    /**
     * alpha * A^T B per batch: a [batch, k, m], b [batch, k, p] -> [batch, m, p] (row-major). As
     * column-major, C^T [p, m] = B^T [p, k] (b's buffer, not transposed) times A [k, m] (a's buffer
     * read transposed).
     */
    private Tensor gemmTransposedA(Tensor a, Tensor bm, long batch, long k, long m, long p, float alpha) {
        Shape outShape = Shape.of(batch, m, p);
        Tensor y = b.produce(outShape, t -> {
            org.bytedeco.javacpp.FloatPointer al = new org.bytedeco.javacpp.FloatPointer(alpha);
            try {
                checkCublas(cublas.cublasSgemmStridedBatched(b.cublas(), cublas.CUBLAS_OP_N, cublas.CUBLAS_OP_T, dim(p), dim(m), dim(k), al,
                        b.ptr(bm), dim(p), k * p, b.ptr(a), dim(m), k * m, b.zeroPointer(), b.ptr(t), dim(p), m * p, dim(batch)),
                        "cublasSgemmStridedBatched(A^T B, " + a.shape() + ", " + bm.shape() + ")");
            } finally {
                al.close(); // cuBLAS reads host scalars before it returns
            }
        });
        // the callers' shapes are [b, h, m, p]
        return b.reshape(y, Shape.of(a.shape().dim(0), a.shape().dim(1), m, p));
    }
}
