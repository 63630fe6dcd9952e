// Elementwise CUDA twins of cpu/elementwise.cpp: one grid-stride loop each.
#include "cuda_common.cuh"

namespace {

__device__ __forceinline__ float relu(float v) { return v < 0.0f ? 0.0f : v; }
__device__ __forceinline__ float gelu(float v) { return 0.5f * v * erfcf(-v * 0.70710678118654752440f); }

// x == y is allowed, hence no __restrict__
__global__ void relu_kernel(const float *x, float *y, int64_t n) {
    for (int64_t i = rp::global_index(); i < n; i += rp::global_stride()) y[i] = relu(x[i]);
}

__global__ void gelu_kernel(const float *x, float *y, int64_t n) {
    for (int64_t i = rp::global_index(); i < n; i += rp::global_stride()) y[i] = gelu(x[i]);
}

__global__ void add_kernel(const float *a, const float *b, float *y, int64_t n) {
    for (int64_t i = rp::global_index(); i < n; i += rp::global_stride()) y[i] = a[i] + b[i];
}

// x, y: [n, c, hw] flattened
__global__ void channel_affine_kernel(const float *x, float *y, const float *scale,
                                      const float *shift, int64_t total, int64_t c, int64_t hw,
                                      int relu_after) {
    for (int64_t i = rp::global_index(); i < total; i += rp::global_stride()) {
        const int64_t ch = (i / hw) % c;
        const float s = scale ? scale[ch] : 1.0f;
        const float t = shift ? shift[ch] : 0.0f;
        const float v = x[i] * s + t;
        y[i] = relu_after ? relu(v) : v;
    }
}

} // namespace

int rp_relu_cuda(const float *x, float *y, int64_t n, void *stream) try {
    int st = rp::check_unary("rp_relu_cuda", x, y, n);
    if (st != RP_OK || n == 0) return st;
    relu_kernel<<<rp::grid_for(n), rp::kThreads, 0, rp::as_stream(stream)>>>(x, y, n);
    return rp::check_launch("rp_relu_cuda");
} catch (...) {
    return rp_internal_error("rp_relu_cuda");
}

int rp_gelu_cuda(const float *x, float *y, int64_t n, void *stream) try {
    int st = rp::check_unary("rp_gelu_cuda", x, y, n);
    if (st != RP_OK || n == 0) return st;
    gelu_kernel<<<rp::grid_for(n), rp::kThreads, 0, rp::as_stream(stream)>>>(x, y, n);
    return rp::check_launch("rp_gelu_cuda");
} catch (...) {
    return rp_internal_error("rp_gelu_cuda");
}

int rp_add_cuda(const float *a, const float *b, float *y, int64_t n, void *stream) try {
    int st = rp::check_add("rp_add_cuda", a, b, y, n);
    if (st != RP_OK || n == 0) return st;
    add_kernel<<<rp::grid_for(n), rp::kThreads, 0, rp::as_stream(stream)>>>(a, b, y, n);
    return rp::check_launch("rp_add_cuda");
} catch (...) {
    return rp_internal_error("rp_add_cuda");
}

int rp_channel_affine_cuda(const float *x, float *y, const float *scale, const float *shift,
                           int64_t n, int64_t c, int64_t hw, int relu_after, void *stream) try {
    int st = rp::check_channel_affine("rp_channel_affine_cuda", x, y, n, c, hw);
    if (st != RP_OK) return st;
    const int64_t total = n * c * hw;
    if (total == 0) return RP_OK;
    channel_affine_kernel<<<rp::grid_for(total), rp::kThreads, 0, rp::as_stream(stream)>>>(
        x, y, scale, shift, total, c, hw, relu_after);
    return rp::check_launch("rp_channel_affine_cuda");
} catch (...) {
    return rp_internal_error("rp_channel_affine_cuda");
}
