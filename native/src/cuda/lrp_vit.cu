// CUDA twins of cpu/lrp_vit.cpp: one block per row for the row steps (sums in double, as the
// CPU twin), one thread per element for the layout changes.
#include "cuda_common.cuh"

namespace {

// Block-wide double sum; every thread gets it. blockDim.x a multiple of 32; smem: 32 doubles.
__device__ double block_sum_double(double v, double *smem) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nwarps = blockDim.x >> 5;
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    __syncthreads();
    if (lane == 0) smem[warp] = v;
    __syncthreads();
    double w = lane < nwarps ? smem[lane] : 0.0;
    for (int o = 16; o > 0; o >>= 1) w += __shfl_xor_sync(0xffffffffu, w, o);
    return w;
}

__global__ void layernorm_scale_kernel(const float *x, const float *gamma, float *scale, int64_t rows, int64_t cols, float eps) {
    __shared__ double smem[32];
    for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
        const float *xr = x + r * cols;
        double s = 0.0;
        for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) s += xr[j];
        const double mean = block_sum_double(s, smem) / (double)cols;
        double q = 0.0;
        for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) q += (xr[j] - mean) * (xr[j] - mean);
        const double var = block_sum_double(q, smem) / (double)cols;
        const double inv = 1.0 / sqrt(var + (double)eps);
        for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) scale[r * cols + j] = (float)((gamma ? gamma[j] : 1.0f) * inv);
    }
}

__global__ void layernorm_adjoint_kernel(const float *g, const float *scale, float *out, int64_t rows, int64_t cols) {
    __shared__ double smem[32];
    for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
        const float *gr = g + r * cols, *sr = scale + r * cols;
        double s = 0.0;
        for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) s += __fmul_rn(gr[j], sr[j]);
        const float m = (float)(block_sum_double(s, smem) / (double)cols);
        for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) out[r * cols + j] = __fsub_rn(__fmul_rn(gr[j], sr[j]), m);
    }
}

__global__ void softmax_adjoint_kernel(const float *a, const float *ga, float *out, int64_t rows, int64_t cols) {
    __shared__ double smem[32];
    for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
        const float *ar = a + r * cols, *gr = ga + r * cols;
        double s = 0.0;
        for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) s += (double)ar[j] * gr[j];
        const float sf = (float)block_sum_double(s, smem);
        for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) out[r * cols + j] = __fmul_rn(ar[j], __fsub_rn(gr[j], sf));
    }
}

// x: [b, n, h, dh] -> y: [b, h, n, dh]
__global__ void unmerge_heads_kernel(const float *x, float *y, int64_t b, int64_t h, int64_t n, int64_t dh) {
    const int64_t total = b * h * n * dh;
    for (int64_t idx = rp::global_index(); idx < total; idx += rp::global_stride()) {
        const int64_t di = idx % dh, ni = (idx / dh) % n, hi = (idx / (dh * n)) % h, bi = idx / (dh * n * h);
        y[idx] = x[((bi * n + ni) * h + hi) * dh + di];
    }
}

// parts: [3, b, h, n, dh] -> qkv: [b, n, 3, h, dh]
__global__ void merge_qkv_kernel(const float *parts, float *qkv, int64_t b, int64_t n, int64_t h, int64_t dh) {
    const int64_t total = 3 * b * n * h * dh;
    for (int64_t idx = rp::global_index(); idx < total; idx += rp::global_stride()) {
        const int64_t di = idx % dh, hi = (idx / dh) % h, t = (idx / (dh * h)) % 3, ni = (idx / (dh * h * 3)) % n,
                      bi = idx / (dh * h * 3 * n);
        qkv[idx] = parts[(((t * b + bi) * h + hi) * n + ni) * dh + di];
    }
}

// tokens: [b, 1 + g, d] -> grid: [b, d, g]
__global__ void tokens_to_grid_kernel(const float *tokens, float *grid, int64_t b, int64_t d, int64_t g) {
    const int64_t total = b * d * g;
    for (int64_t idx = rp::global_index(); idx < total; idx += rp::global_stride()) {
        const int64_t j = idx % g, k = (idx / g) % d, bi = idx / (g * d);
        grid[idx] = tokens[(bi * (1 + g) + 1 + j) * d + k];
    }
}

unsigned row_grid(int64_t rows) { return (unsigned)(rows < 65535 ? rows : 65535); }

} // namespace

int rp_layernorm_scale_cuda(const float *x, const float *gamma, float *scale, int64_t rows, int64_t cols, float eps,
                            void *stream) try {
    const char *fn = "rp_layernorm_scale_cuda";
    int st = rp::check_layernorm(fn, x, scale, rows, cols, eps);
    if (st != RP_OK || rows == 0 || cols == 0) return st;
    layernorm_scale_kernel<<<row_grid(rows), rp::row_threads(cols), 0, rp::as_stream(stream)>>>(x, gamma, scale, rows, cols, eps);
    return rp::check_launch(fn);
} catch (...) {
    return rp_internal_error("rp_layernorm_scale_cuda");
}

int rp_layernorm_adjoint_cuda(const float *g, const float *scale, float *out, int64_t rows, int64_t cols, void *stream) try {
    const char *fn = "rp_layernorm_adjoint_cuda";
    int st = rp::check_rows3(fn, "g", g, "scale", scale, "out", out, rows, cols);
    if (st != RP_OK || rows == 0 || cols == 0) return st;
    layernorm_adjoint_kernel<<<row_grid(rows), rp::row_threads(cols), 0, rp::as_stream(stream)>>>(g, scale, out, rows, cols);
    return rp::check_launch(fn);
} catch (...) {
    return rp_internal_error("rp_layernorm_adjoint_cuda");
}

int rp_softmax_adjoint_cuda(const float *a, const float *ga, float *out, int64_t rows, int64_t cols, void *stream) try {
    const char *fn = "rp_softmax_adjoint_cuda";
    int st = rp::check_rows3(fn, "a", a, "ga", ga, "out", out, rows, cols);
    if (st != RP_OK || rows == 0 || cols == 0) return st;
    softmax_adjoint_kernel<<<row_grid(rows), rp::row_threads(cols), 0, rp::as_stream(stream)>>>(a, ga, out, rows, cols);
    return rp::check_launch(fn);
} catch (...) {
    return rp_internal_error("rp_softmax_adjoint_cuda");
}

int rp_unmerge_heads_cuda(const float *x, float *y, int64_t b, int64_t h, int64_t n, int64_t dh, void *stream) try {
    const char *fn = "rp_unmerge_heads_cuda";
    int st = rp::check_heads(fn, "x", x, "y", y, b, n, h, dh, 1);
    const int64_t total = b * h * n * dh;
    if (st != RP_OK || total == 0) return st;
    unmerge_heads_kernel<<<rp::grid_for(total), rp::kThreads, 0, rp::as_stream(stream)>>>(x, y, b, h, n, dh);
    return rp::check_launch(fn);
} catch (...) {
    return rp_internal_error("rp_unmerge_heads_cuda");
}

int rp_merge_qkv_cuda(const float *parts, float *qkv, int64_t b, int64_t n, int64_t h, int64_t dh, void *stream) try {
    const char *fn = "rp_merge_qkv_cuda";
    int st = rp::check_heads(fn, "parts", parts, "qkv", qkv, b, n, h, dh, 3);
    const int64_t total = 3 * b * n * h * dh;
    if (st != RP_OK || total == 0) return st;
    merge_qkv_kernel<<<rp::grid_for(total), rp::kThreads, 0, rp::as_stream(stream)>>>(parts, qkv, b, n, h, dh);
    return rp::check_launch(fn);
} catch (...) {
    return rp_internal_error("rp_merge_qkv_cuda");
}

int rp_tokens_to_grid_cuda(const float *tokens, float *grid, int64_t b, int64_t d, int64_t g, void *stream) try {
    const char *fn = "rp_tokens_to_grid_cuda";
    int st = rp::check_tokens_grid(fn, tokens, grid, b, d, g);
    const int64_t total = b * d * g;
    if (st != RP_OK || total == 0) return st;
    tokens_to_grid_kernel<<<rp::grid_for(total), rp::kThreads, 0, rp::as_stream(stream)>>>(tokens, grid, b, d, g);
    return rp::check_launch(fn);
} catch (...) {
    return rp_internal_error("rp_tokens_to_grid_cuda");
}
