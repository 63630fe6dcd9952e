// Row-wise normalizations, CUDA twins of cpu/norm.cpp: one block per row (grid-stride over rows),
// reductions through warp shuffles and 32 floats of shared memory.
#include "cuda_common.cuh"

namespace {

// x, y: [rows, cols]; gamma, beta: [cols] or NULL. x == y is allowed: each thread writes only
// the elements it read itself, after all reductions have consumed the row.
__global__ void layernorm_kernel(const float *x, float *y, const float *gamma, const float *beta,
                                 int64_t rows, int64_t cols, float eps) {
    __shared__ float smem[32];
    const float inv_cols = 1.0f / (float)cols;
    for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
        const float *xr = x + r * cols;
        float *yr = y + r * cols;
        float s = 0.0f;
        for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) s += xr[j];
        const float m0 = rp::block_sum(s, smem) * inv_cols;
        // Corrected two-pass (Chan, Golub & LeVeque): a float sum of a row with a large mean is
        // off by many ulps of the mean; the sum of the small deviations d = x - m0 is accurate
        // and gives the correction c, so x - mean = d - c nearly as well as the CPU twin's double.
        float sd = 0.0f, sq = 0.0f;
        for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) {
            const float d = xr[j] - m0;
            sd += d;
            sq += d * d;
        }
        const float c = rp::block_sum(sd, smem) * inv_cols;
        const float var = fmaxf(rp::block_sum(sq, smem) * inv_cols - c * c, 0.0f); // biased
        const float rstd = rsqrtf(var + eps);
        for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) {
            float v = ((xr[j] - m0) - c) * rstd;
            if (gamma) v *= gamma[j];
            if (beta) v += beta[j];
            yr[j] = v;
        }
    }
}

// x, y: [rows, cols]
__global__ void softmax_kernel(const float *x, float *y, int64_t rows, int64_t cols) {
    __shared__ float smem[32];
    for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
        const float *xr = x + r * cols;
        float *yr = y + r * cols;
        float m = -INFINITY;
        for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) m = fmaxf(m, xr[j]);
        m = rp::block_max(m, smem);
        float s = 0.0f;
        for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) {
            const float e = expf(xr[j] - m);
            yr[j] = e; // read back below by this same thread, so x == y is fine
            s += e;
        }
        s = rp::block_sum(s, smem);
        for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) yr[j] = yr[j] / s;
    }
}

unsigned row_grid(int64_t rows) { return (unsigned)(rows < rp::kMaxBlocks ? rows : rp::kMaxBlocks); }

} // namespace

int rp_layernorm_cuda(const float *x, float *y, const float *gamma, const float *beta,
                      int64_t rows, int64_t cols, float eps, void *stream) try {
    int st = rp::check_layernorm("rp_layernorm_cuda", x, y, rows, cols, eps);
    if (st != RP_OK || rows == 0 || cols == 0) return st;
    layernorm_kernel<<<row_grid(rows), rp::row_threads(cols), 0, rp::as_stream(stream)>>>(
        x, y, gamma, beta, rows, cols, eps);
    return rp::check_launch("rp_layernorm_cuda");
} catch (...) {
    return rp_internal_error("rp_layernorm_cuda");
}

int rp_softmax_cuda(const float *x, float *y, int64_t rows, int64_t cols, void *stream) try {
    int st = rp::check_rows("rp_softmax_cuda", x, y, rows, cols);
    if (st != RP_OK || rows == 0 || cols == 0) return st;
    softmax_kernel<<<row_grid(rows), rp::row_threads(cols), 0, rp::as_stream(stream)>>>(x, y, rows, cols);
    return rp::check_launch("rp_softmax_cuda");
} catch (...) {
    return rp_internal_error("rp_softmax_cuda");
}
