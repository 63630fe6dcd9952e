// Adjoints of average pooling, CUDA twins of cpu/pool_adjoint.cpp: one thread per input element
// gathering its windows in the CPU twin's order.
#include "cuda_common.cuh"

namespace {

__device__ __forceinline__ int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
__device__ __forceinline__ int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }
__device__ __forceinline__ int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

__global__ void avg_pool2d_adjoint_kernel(const float *g, float *out, int64_t nc, int64_t h, int64_t w,
                                          int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t ph,
                                          int64_t pw, int64_t oh, int64_t ow) {
    const int64_t total = nc * h * w;
    const float count = (float)(kh * kw);
    for (int64_t idx = rp::global_index(); idx < total; idx += rp::global_stride()) {
        const int64_t wi = idx % w, hi = (idx / w) % h, p = idx / (h * w);
        const float *gp = g + p * oh * ow;
        const int64_t i0 = max64(0, floor_div(hi + ph - kh, sh) + 1), i1 = min64(oh - 1, floor_div(hi + ph, sh));
        const int64_t j0 = max64(0, floor_div(wi + pw - kw, sw) + 1), j1 = min64(ow - 1, floor_div(wi + pw, sw));
        float acc = 0.0f;
        for (int64_t i = i0; i <= i1; i++)
            for (int64_t j = j0; j <= j1; j++) acc = __fadd_rn(acc, __fdiv_rn(gp[i * ow + j], count));
        out[idx] = acc;
    }
}

__global__ void adaptive_avg_pool2d_adjoint_kernel(const float *g, float *out, int64_t nc, int64_t h,
                                                   int64_t w, int64_t oh, int64_t ow) {
    const int64_t total = nc * h * w;
    for (int64_t idx = rp::global_index(); idx < total; idx += rp::global_stride()) {
        const int64_t wi = idx % w, hi = (idx / w) % h, p = idx / (h * w);
        const float *gp = g + p * oh * ow;
        float acc = 0.0f;
        for (int64_t i = 0; i < oh; i++) {
            const int64_t h0 = i * h / oh, h1 = ((i + 1) * h + oh - 1) / oh;
            if (hi < h0 || hi >= h1) continue;
            for (int64_t j = 0; j < ow; j++) {
                const int64_t w0 = j * w / ow, w1 = ((j + 1) * w + ow - 1) / ow;
                if (wi < w0 || wi >= w1) continue;
                acc = __fadd_rn(acc, __fdiv_rn(gp[i * ow + j], (float)((h1 - h0) * (w1 - w0))));
            }
        }
        out[idx] = acc;
    }
}

} // namespace

int rp_avg_pool2d_adjoint_cuda(const float *g, float *out, int64_t n, int64_t c, int64_t h, int64_t w,
                               int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t ph, int64_t pw,
                               int64_t oh, int64_t ow, void *stream) try {
    const char *fn = "rp_avg_pool2d_adjoint_cuda";
    int st = rp::check_pool2d(fn, out, g, n, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow);
    if (st != RP_OK) return st;
    const int64_t total = n * c * h * w;
    if (total == 0) return RP_OK;
    avg_pool2d_adjoint_kernel<<<rp::grid_for(total), rp::kThreads, 0, rp::as_stream(stream)>>>(
        g, out, n * c, h, w, kh, kw, sh, sw, ph, pw, oh, ow);
    return rp::check_launch(fn);
} catch (...) {
    return rp_internal_error("rp_avg_pool2d_adjoint_cuda");
}

int rp_adaptive_avg_pool2d_adjoint_cuda(const float *g, float *out, int64_t n, int64_t c, int64_t h,
                                        int64_t w, int64_t oh, int64_t ow, void *stream) try {
    const char *fn = "rp_adaptive_avg_pool2d_adjoint_cuda";
    int st = rp::check_adaptive_pool2d(fn, out, g, n, c, h, w, oh, ow);
    if (st != RP_OK) return st;
    const int64_t total = n * c * h * w;
    if (total == 0) return RP_OK;
    adaptive_avg_pool2d_adjoint_kernel<<<rp::grid_for(total), rp::kThreads, 0, rp::as_stream(stream)>>>(
        g, out, n * c, h, w, oh, ow);
    return rp::check_launch(fn);
} catch (...) {
    return rp_internal_error("rp_adaptive_avg_pool2d_adjoint_cuda");
}
