package org.relprune.backend.cuda;

import static org.bytedeco.cuda.global.cudnn.CUDNN_CONVOLUTION_FWD_ALGO_FFT;
import static org.bytedeco.cuda.global.cudnn.CUDNN_CONVOLUTION_FWD_ALGO_FFT_TILING;
import static org.bytedeco.cuda.global.cudnn.CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM;
import static org.bytedeco.cuda.global.cudnn.CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED;
import static org.bytedeco.cuda.global.cudnn.CUDNN_CROSS_CORRELATION;
import static org.bytedeco.cuda.global.cudnn.CUDNN_DATA_FLOAT;
import static org.bytedeco.cuda.global.cudnn.CUDNN_DEFAULT_MATH;
import static org.bytedeco.cuda.global.cudnn.CUDNN_DETERMINISTIC;
import static org.bytedeco.cuda.global.cudnn.CUDNN_FMA_MATH;
import static org.bytedeco.cuda.global.cudnn.CUDNN_STATUS_SUCCESS;
import static org.bytedeco.cuda.global.cudnn.CUDNN_TENSOR_NCHW;
import static org.bytedeco.cuda.global.cudnn.CUDNN_TENSOR_OP_MATH;
import static org.bytedeco.cuda.global.cudnn.CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION;
import static org.relprune.backend.cuda.Cuda.checkCudnn;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.cuda.cudnn.cudnnContext;
import org.bytedeco.cuda.cudnn.cudnnConvolutionBwdDataAlgoPerf_t;
import org.bytedeco.cuda.cudnn.cudnnConvolutionFwdAlgoPerf_t;
import org.bytedeco.cuda.cudnn.cudnnConvolutionStruct;
import org.bytedeco.cuda.cudnn.cudnnFilterStruct;
import org.bytedeco.cuda.cudnn.cudnnTensorStruct;
import org.bytedeco.cuda.global.cudnn;
import org.bytedeco.javacpp.SizeTPointer;
import org.relprune.backend.Conv2dSpec;
import org.relprune.tensor.Shape;

/**
 * cuDNN forward-convolution plans (descriptors + algorithm + workspace size), made once per
 * input shape, weight shape and spec and then reused. The algorithm comes from cuDNN's
 * heuristics (cudnnGetConvolutionForwardAlgorithm_v7): the first one that succeeds, fits the
 * workspace limit and, without TF32, uses plain FMA math and is not an FFT / non-fused
 * Winograd variant (their rounding differs visibly from a direct sum); deterministic ones first.
 * Not thread-safe: the backend uses it from one thread at a time.
 */
final class CudnnConvolutions implements AutoCloseable {
    /** Workspace above this is not worth it; such algorithms are skipped. */
    static final long MAX_WORKSPACE = 1L << 30;

    record Key(Shape input, Shape weight, Conv2dSpec spec) {
    }

    static final class Plan {
        final cudnnTensorStruct x = new cudnnTensorStruct();
        final cudnnFilterStruct w = new cudnnFilterStruct();
        final cudnnConvolutionStruct conv = new cudnnConvolutionStruct();
        final cudnnTensorStruct y = new cudnnTensorStruct();
        boolean hasX;
        boolean hasW;
        boolean hasConv;
        boolean hasY;
        int algo;
        int mathType;
        long workspaceBytes;

        void destroy() {
            // best effort: destroying a descriptor only fails for a null one
            if (hasY) {
                cudnn.cudnnDestroyTensorDescriptor(y);
            }
            if (hasConv) {
                cudnn.cudnnDestroyConvolutionDescriptor(conv);
            }
            if (hasW) {
                cudnn.cudnnDestroyFilterDescriptor(w);
            }
            if (hasX) {
                cudnn.cudnnDestroyTensorDescriptor(x);
            }
            hasX = hasW = hasConv = hasY = false;
        }

        @Override
        public String toString() {
            return "algo " + algo + " math " + mathType + " workspace " + workspaceBytes;
        }
    }

    private final cudnnContext handle;
    private final boolean allowTf32;
    private final Map<Key, Plan> plans = new HashMap<>();
    /** Backward-data plans (the adjoint W^T s of LRP), with their own algorithm choice. */
    private final Map<Key, Plan> dataPlans = new HashMap<>();

    CudnnConvolutions(cudnnContext handle, boolean allowTf32) {
        this.handle = handle;
        this.allowTf32 = allowTf32;
    }

    int size() {
        return plans.size() + dataPlans.size();
    }

    /** The plan for x [n,c,h,w] * w [k,c/g,kh,kw]; {@code out} is the expected output shape. */
    Plan plan(Shape x, Shape w, Conv2dSpec s, Shape out) {
        Key key = new Key(x, w, s);
        Plan p = plans.get(key);
        if (p == null) {
            p = create(x, w, s, out, false);
            plans.put(key, p);
        }
        return p;
    }

    /**
     * The backward-data plan of the same convolution: dx [x] = W^T dy [out]. Algorithms as for
     * the forward: heuristics, no FFT / non-fused Winograd and no tensor-op math without TF32,
     * deterministic ones first.
     */
    Plan backwardDataPlan(Shape x, Shape w, Conv2dSpec s, Shape out) {
        Key key = new Key(x, w, s);
        Plan p = dataPlans.get(key);
        if (p == null) {
            p = create(x, w, s, out, true);
            dataPlans.put(key, p);
        }
        return p;
    }

    private Plan create(Shape xs, Shape ws, Conv2dSpec s, Shape out, boolean backwardData) {
        Plan p = new Plan();
        try {
            checkCudnn(cudnn.cudnnCreateTensorDescriptor(p.x), "cudnnCreateTensorDescriptor");
            p.hasX = true;
            checkCudnn(cudnn.cudnnSetTensor4dDescriptor(p.x, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT,
                    i(xs.dim(0)), i(xs.dim(1)), i(xs.dim(2)), i(xs.dim(3))), "cudnnSetTensor4dDescriptor(input " + xs + ")");
            checkCudnn(cudnn.cudnnCreateFilterDescriptor(p.w), "cudnnCreateFilterDescriptor");
            p.hasW = true;
            checkCudnn(cudnn.cudnnSetFilter4dDescriptor(p.w, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW,
                    i(ws.dim(0)), i(ws.dim(1)), i(ws.dim(2)), i(ws.dim(3))), "cudnnSetFilter4dDescriptor(weight " + ws + ")");
            checkCudnn(cudnn.cudnnCreateConvolutionDescriptor(p.conv), "cudnnCreateConvolutionDescriptor");
            p.hasConv = true;
            checkCudnn(cudnn.cudnnSetConvolution2dDescriptor(p.conv, s.padH(), s.padW(), s.strideH(), s.strideW(),
                    s.dilationH(), s.dilationW(), CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT), "cudnnSetConvolution2dDescriptor(" + s + ")");
            checkCudnn(cudnn.cudnnSetConvolutionGroupCount(p.conv, s.groups()), "cudnnSetConvolutionGroupCount(" + s.groups() + ")");
            int requestedMath = allowTf32 ? CUDNN_DEFAULT_MATH : CUDNN_FMA_MATH;
            checkCudnn(cudnn.cudnnSetConvolutionMathType(p.conv, requestedMath), "cudnnSetConvolutionMathType");

            int[] n = new int[1];
            int[] c = new int[1];
            int[] h = new int[1];
            int[] wd = new int[1];
            checkCudnn(cudnn.cudnnGetConvolution2dForwardOutputDim(p.conv, p.x, p.w, n, c, h, wd), "cudnnGetConvolution2dForwardOutputDim");
            Shape cudnnOut = Shape.of(n[0], c[0], h[0], wd[0]);
            if (!cudnnOut.equals(out)) {
                throw new IllegalStateException("conv2d: cuDNN computes output " + cudnnOut + " for input " + xs + ", weight " + ws
                        + ", " + s + " but the backend expects " + out);
            }
            checkCudnn(cudnn.cudnnCreateTensorDescriptor(p.y), "cudnnCreateTensorDescriptor");
            p.hasY = true;
            checkCudnn(cudnn.cudnnSetTensor4dDescriptor(p.y, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, n[0], c[0], h[0], wd[0]),
                    "cudnnSetTensor4dDescriptor(output " + cudnnOut + ")");

            if (backwardData) {
                chooseBackwardData(p, xs, ws, s);
            } else {
                choose(p, xs, ws, s);
            }
            return p;
        } catch (RuntimeException e) {
            p.destroy();
            throw e;
        }
    }

    private void choose(Plan p, Shape xs, Shape ws, Conv2dSpec s) {
        int[] max = new int[1];
        checkCudnn(cudnn.cudnnGetConvolutionForwardAlgorithmMaxCount(handle, max), "cudnnGetConvolutionForwardAlgorithmMaxCount");
        int requested = Math.max(1, max[0]);
        int[] returned = new int[1];
        List<int[]> candidates = new ArrayList<>(); // {algo, mathType, deterministic}
        try (cudnnConvolutionFwdAlgoPerf_t perf = new cudnnConvolutionFwdAlgoPerf_t(requested)) {
            checkCudnn(cudnn.cudnnGetConvolutionForwardAlgorithm_v7(handle, p.x, p.w, p.conv, p.y, requested, returned, perf),
                    "cudnnGetConvolutionForwardAlgorithm_v7");
            for (int k = 0; k < Math.min(returned[0], requested); k++) {
                cudnnConvolutionFwdAlgoPerf_t r = perf.getPointer(k);
                if (r.status() != CUDNN_STATUS_SUCCESS || r.memory() > MAX_WORKSPACE) {
                    continue;
                }
                int algo = r.algo();
                int math = r.mathType();
                if (!allowTf32 && (math == CUDNN_TENSOR_OP_MATH || math == CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION
                        || algo == CUDNN_CONVOLUTION_FWD_ALGO_FFT || algo == CUDNN_CONVOLUTION_FWD_ALGO_FFT_TILING
                        || algo == CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED)) {
                    continue;
                }
                candidates.add(new int[] {algo, math, r.determinism() == CUDNN_DETERMINISTIC ? 1 : 0});
            }
        }
        int[] pick = null;
        for (int[] cand : candidates) {
            if (cand[2] == 1) {
                pick = cand;
                break;
            }
        }
        if (pick == null && !candidates.isEmpty()) {
            pick = candidates.get(0);
        }
        if (pick == null) {
            // implicit GEMM supports every configuration without workspace
            pick = new int[] {CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM, allowTf32 ? CUDNN_DEFAULT_MATH : CUDNN_FMA_MATH, 1};
        }
        p.algo = pick[0];
        p.mathType = allowTf32 ? pick[1] : CUDNN_FMA_MATH;
        checkCudnn(cudnn.cudnnSetConvolutionMathType(p.conv, p.mathType), "cudnnSetConvolutionMathType");
        try (SizeTPointer bytes = new SizeTPointer(1)) {
            checkCudnn(cudnn.cudnnGetConvolutionForwardWorkspaceSize(handle, p.x, p.w, p.conv, p.y, p.algo, bytes),
                    "cudnnGetConvolutionForwardWorkspaceSize(algo " + p.algo + ", input " + xs + ", weight " + ws + ", " + s + ")");
            p.workspaceBytes = bytes.get();
        }
    }

    private void chooseBackwardData(Plan p, Shape xs, Shape ws, Conv2dSpec s) {
        int[] max = new int[1];
        checkCudnn(cudnn.cudnnGetConvolutionBackwardDataAlgorithmMaxCount(handle, max), "cudnnGetConvolutionBackwardDataAlgorithmMaxCount");
        int requested = Math.max(1, max[0]);
        int[] returned = new int[1];
        List<int[]> candidates = new ArrayList<>(); // {algo, mathType, deterministic}
        try (cudnnConvolutionBwdDataAlgoPerf_t perf = new cudnnConvolutionBwdDataAlgoPerf_t(requested)) {
            checkCudnn(cudnn.cudnnGetConvolutionBackwardDataAlgorithm_v7(handle, p.w, p.y, p.conv, p.x, requested, returned, perf),
                    "cudnnGetConvolutionBackwardDataAlgorithm_v7");
            for (int k = 0; k < Math.min(returned[0], requested); k++) {
                cudnnConvolutionBwdDataAlgoPerf_t r = perf.getPointer(k);
                if (r.status() != CUDNN_STATUS_SUCCESS || r.memory() > MAX_WORKSPACE) {
                    continue;
                }
                int algo = r.algo();
                int math = r.mathType();
                if (!allowTf32 && (math == CUDNN_TENSOR_OP_MATH || math == CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION
                        || algo == cudnn.CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT || algo == cudnn.CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT_TILING
                        || algo == cudnn.CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD_NONFUSED)) {
                    continue;
                }
                candidates.add(new int[] {algo, math, r.determinism() == CUDNN_DETERMINISTIC ? 1 : 0});
            }
        }
        int[] pick = candidates.stream().filter(c -> c[2] == 1).findFirst().orElse(candidates.isEmpty() ? null : candidates.get(0));
        if (pick == null) {
            // ALGO_1 supports every configuration and is deterministic
            pick = new int[] {cudnn.CUDNN_CONVOLUTION_BWD_DATA_ALGO_1, allowTf32 ? CUDNN_DEFAULT_MATH : CUDNN_FMA_MATH, 1};
        }
        p.algo = pick[0];
        p.mathType = allowTf32 ? pick[1] : CUDNN_FMA_MATH;
        checkCudnn(cudnn.cudnnSetConvolutionMathType(p.conv, p.mathType), "cudnnSetConvolutionMathType");
        try (SizeTPointer bytes = new SizeTPointer(1)) {
            checkCudnn(cudnn.cudnnGetConvolutionBackwardDataWorkspaceSize(handle, p.w, p.y, p.conv, p.x, p.algo, bytes),
                    "cudnnGetConvolutionBackwardDataWorkspaceSize(algo " + p.algo + ", input " + xs + ", weight " + ws + ", " + s + ")");
            p.workspaceBytes = bytes.get();
        }
    }

    private static int i(long v) {
        if (v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("conv2d: dimension " + v + " is too large for cuDNN");
        }
        return (int) v;
    }

    @Override
    public void close() {
        for (Plan p : plans.values()) {
            p.destroy();
        }
        for (Plan p : dataPlans.values()) {
            p.destroy();
        }
        plans.clear();
        dataPlans.clear();
    }
}
