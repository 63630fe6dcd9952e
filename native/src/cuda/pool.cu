// 2-D pooling, CUDA twins of cpu/pool.cpp: one thread per output element, same summation
// order as the CPU twin so results agree to the last bit or nearly.
#include "cuda_common.cuh"

namespace {

__device__ __forceinline__ int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
__device__ __forceinline__ int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }

// x: [n*c, h, w] -> y: [n*c, oh, ow]
__global__ void max_pool2d_kernel(const float *x, float *y, int64_t nc, int64_t h, int64_t w,
                                  int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t ph,
                                  int64_t pw, int64_t oh, int64_t ow) {
    const int64_t total = nc * oh * ow;
    for (int64_t idx = rp::global_index(); idx < total; idx += rp::global_stride()) {
        const int64_t j = idx % ow, i = (idx / ow) % oh, p = idx / (ow * oh);
        const float *xp = x + p * h * w;
        const int64_t h0 = max64(i * sh - ph, 0), h1 = min64(i * sh - ph + kh, h);
        const int64_t w0 = max64(j * sw - pw, 0), w1 = min64(j * sw - pw + kw, w);
        float m = -INFINITY;
        for (int64_t hi = h0; hi < h1; hi++) {
            for (int64_t wi = w0; wi < w1; wi++) {
                const float v = xp[hi * w + wi];
                if (v > m || isnan(v)) m = v;
            }
        }
        y[idx] = m;
    }
}

__global__ void avg_pool2d_kernel(const float *x, float *y, int64_t nc, int64_t h, int64_t w,
                                  int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t ph,
                                  int64_t pw, int64_t oh, int64_t ow) {
    const int64_t total = nc * oh * ow;
    const float count = (float)(kh * kw); // count_include_pad, see the CPU twin
    for (int64_t idx = rp::global_index(); idx < total; idx += rp::global_stride()) {
        const int64_t j = idx % ow, i = (idx / ow) % oh, p = idx / (ow * oh);
        const float *xp = x + p * h * w;
        const int64_t h0 = max64(i * sh - ph, 0), h1 = min64(i * sh - ph + kh, h);
        const int64_t w0 = max64(j * sw - pw, 0), w1 = min64(j * sw - pw + kw, w);
        float sum = 0.0f;
        for (int64_t hi = h0; hi < h1; hi++)
            for (int64_t wi = w0; wi < w1; wi++) sum += xp[hi * w + wi];
        y[idx] = sum / count;
    }
}

__global__ void adaptive_avg_pool2d_kernel(const float *x, float *y, int64_t nc, int64_t h,
                                           int64_t w, int64_t oh, int64_t ow) {
    const int64_t total = nc * oh * ow;
    for (int64_t idx = rp::global_index(); idx < total; idx += rp::global_stride()) {
        const int64_t j = idx % ow, i = (idx / ow) % oh, p = idx / (ow * oh);
        const float *xp = x + p * h * w;
        const int64_t h0 = i * h / oh, h1 = ((i + 1) * h + oh - 1) / oh;
        const int64_t w0 = j * w / ow, w1 = ((j + 1) * w + ow - 1) / ow;
        float sum = 0.0f;
        for (int64_t hi = h0; hi < h1; hi++)
            for (int64_t wi = w0; wi < w1; wi++) sum += xp[hi * w + wi];
        y[idx] = sum / (float)((h1 - h0) * (w1 - w0));
    }
}

} // namespace

int rp_max_pool2d_cuda(const float *x, float *y, int64_t n, int64_t c, int64_t h, int64_t w,
                       int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t ph, int64_t pw,
                       int64_t oh, int64_t ow, void *stream) try {
    int st = rp::check_pool2d("rp_max_pool2d_cuda", x, y, n, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow);
    if (st != RP_OK) return st;
    const int64_t total = n * c * oh * ow;
    if (total == 0) return RP_OK;
    max_pool2d_kernel<<<rp::grid_for(total), rp::kThreads, 0, rp::as_stream(stream)>>>(
        x, y, n * c, h, w, kh, kw, sh, sw, ph, pw, oh, ow);
    return rp::check_launch("rp_max_pool2d_cuda");
} catch (...) {
    return rp_internal_error("rp_max_pool2d_cuda");
}

int rp_avg_pool2d_cuda(const float *x, float *y, int64_t n, int64_t c, int64_t h, int64_t w,
                       int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t ph, int64_t pw,
                       int64_t oh, int64_t ow, void *stream) try {
    int st = rp::check_pool2d("rp_avg_pool2d_cuda", x, y, n, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow);
    if (st != RP_OK) return st;
    const int64_t total = n * c * oh * ow;
    if (total == 0) return RP_OK;
    avg_pool2d_kernel<<<rp::grid_for(total), rp::kThreads, 0, rp::as_stream(stream)>>>(
        x, y, n * c, h, w, kh, kw, sh, sw, ph, pw, oh, ow);
    return rp::check_launch("rp_avg_pool2d_cuda");
} catch (...) {
    return rp_internal_error("rp_avg_pool2d_cuda");
}

int rp_adaptive_avg_pool2d_cuda(const float *x, float *y, int64_t n, int64_t c, int64_t h, int64_t w,
                                int64_t oh, int64_t ow, void *stream) try {
    int st = rp::check_adaptive_pool2d("rp_adaptive_avg_pool2d_cuda", x, y, n, c, h, w, oh, ow);
    if (st != RP_OK) return st;
    const int64_t total = n * c * oh * ow;
    if (total == 0) return RP_OK;
    adaptive_avg_pool2d_kernel<<<rp::grid_for(total), rp::kThreads, 0, rp::as_stream(stream)>>>(
        x, y, n * c, h, w, oh, ow);
    return rp::check_launch("rp_adaptive_avg_pool2d_cuda");
} catch (...) {
    return rp_internal_error("rp_adaptive_avg_pool2d_cuda");
}
