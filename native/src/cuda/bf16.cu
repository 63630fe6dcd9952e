// CUDA twins of cpu/bf16.cpp: the same bit arithmetic, one grid-stride loop each.
#include "cuda_common.cuh"

namespace {

__global__ void f32_to_bf16_kernel(const float *__restrict__ x, uint16_t *__restrict__ out, int64_t n) {
    for (int64_t i = rp::global_index(); i < n; i += rp::global_stride()) {
        const uint32_t bits = __float_as_uint(x[i]);
        if ((bits & 0x7fffffffu) > 0x7f800000u) {
            out[i] = (uint16_t)((bits >> 16) | 0x0040u);
        } else {
            const uint32_t lsb = (bits >> 16) & 1u;
            out[i] = (uint16_t)((bits + 0x7fffu + lsb) >> 16);
        }
    }
}

__global__ void bf16_to_f32_kernel(const uint16_t *__restrict__ x, float *__restrict__ out, int64_t n) {
    for (int64_t i = rp::global_index(); i < n; i += rp::global_stride()) {
        out[i] = __uint_as_float((uint32_t)x[i] << 16);
    }
}

} // namespace

int rp_f32_to_bf16_cuda(const float *x, uint16_t *out, int64_t n, void *stream) try {
    const char *fn = "rp_f32_to_bf16_cuda";
    int st = rp::check_bf16_convert(fn, x, out, n);
    if (st != RP_OK || n == 0) return st;
    f32_to_bf16_kernel<<<rp::grid_for(n), rp::kThreads, 0, rp::as_stream(stream)>>>(x, out, n);
    return rp::check_launch(fn);
} catch (...) {
    return rp_internal_error("rp_f32_to_bf16_cuda");
}

int rp_bf16_to_f32_cuda(const uint16_t *x, float *out, int64_t n, void *stream) try {
    const char *fn = "rp_bf16_to_f32_cuda";
    int st = rp::check_bf16_convert(fn, x, out, n);
    if (st != RP_OK || n == 0) return st;
    bf16_to_f32_kernel<<<rp::grid_for(n), rp::kThreads, 0, rp::as_stream(stream)>>>(x, out, n);
    return rp::check_launch(fn);
} catch (...) {
    return rp_internal_error("rp_bf16_to_f32_cuda");
}
