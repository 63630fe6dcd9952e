// CUDA twins of cpu/lrp_tensor.cpp: sign split, feature read-outs, the sign test.
#include "cuda_common.cuh"

namespace {

__global__ void split_signs_kernel(const float *x, float *out, int64_t outer, int64_t c, int64_t inner) {
    const int64_t total = outer * c * inner;
    for (int64_t idx = rp::global_index(); idx < total; idx += rp::global_stride()) {
        const int64_t i = idx % inner, ch = (idx / inner) % c, o = idx / (inner * c);
        const float v = x[idx];
        out[(o * 2 * c + ch) * inner + i] = v > 0.0f ? v : 0.0f;
        out[(o * 2 * c + c + ch) * inner + i] = v < 0.0f ? v : 0.0f;
    }
}

// one warp per read-out [outer/group, c], in double like the CPU twin
__global__ void feature_sums_kernel(const float *x, int64_t outer, int64_t c, int64_t inner,
                                    int64_t group, float *sums, float *abs_sums) {
    const int64_t warps = (outer / group) * c;
    const int lane = threadIdx.x & 31;
    for (int64_t wi = rp::global_index() / 32; wi < warps; wi += rp::global_stride() / 32) {
        const int64_t ch = wi % c, og = wi / c;
        double sum = 0.0, abs_sum = 0.0;
        for (int64_t e = lane; e < group * inner; e += 32) {
            const float v = x[((og * group + e / inner) * c + ch) * inner + e % inner];
            sum += v;
            abs_sum += fabsf(v);
        }
        for (int off = 16; off > 0; off >>= 1) {
            sum += __shfl_xor_sync(0xffffffffu, sum, off);
            abs_sum += __shfl_xor_sync(0xffffffffu, abs_sum, off);
        }
        if (lane == 0) {
            if (sums) sums[wi] = (float)sum;
            if (abs_sums) abs_sums[wi] = (float)abs_sum;
        }
    }
}

// *result was zeroed; any thread that sees a negative or NaN element sets it (all write 1)
__global__ void any_negative_kernel(const float *x, int64_t n, int *result) {
    bool bad = false;
    for (int64_t idx = rp::global_index(); idx < n; idx += rp::global_stride()) bad |= !(x[idx] >= 0.0f);
    if (bad) *result = 1;
}

} // namespace

int rp_split_signs_cuda(const float *x, float *out, int64_t outer, int64_t c, int64_t inner, void *stream) try {
    const char *fn = "rp_split_signs_cuda";
    int st = rp::check_split_signs(fn, x, out, outer, c, inner);
    if (st != RP_OK) return st;
    const int64_t total = outer * c * inner;
    if (total == 0) return RP_OK;
    split_signs_kernel<<<rp::grid_for(total), rp::kThreads, 0, rp::as_stream(stream)>>>(x, out, outer, c, inner);
    return rp::check_launch(fn);
} catch (...) {
    return rp_internal_error("rp_split_signs_cuda");
}

int rp_feature_sums_cuda(const float *x, int64_t outer, int64_t c, int64_t inner, int64_t group,
                         float *sums, float *abs_sums, void *stream) try {
    const char *fn = "rp_feature_sums_cuda";
    int st = rp::check_feature_sums(fn, x, outer, c, inner, group, sums, abs_sums);
    if (st != RP_OK) return st;
    const int64_t warps = (outer / group) * c;
    if (warps == 0 || (sums == nullptr && abs_sums == nullptr)) return RP_OK;
    feature_sums_kernel<<<rp::grid_for(warps * 32), rp::kThreads, 0, rp::as_stream(stream)>>>(
        x, outer, c, inner, group, sums, abs_sums);
    return rp::check_launch(fn);
} catch (...) {
    return rp_internal_error("rp_feature_sums_cuda");
}

int rp_any_negative_cuda(const float *x, int64_t n, int *result, void *stream) try {
    const char *fn = "rp_any_negative_cuda";
    int st = rp::check_any_negative(fn, x, n, result);
    if (st != RP_OK) return st;
    const cudaError_t err = cudaMemsetAsync(result, 0, sizeof(int), rp::as_stream(stream));
    if (err != cudaSuccess) {
        rp_set_error("%s: cudaMemsetAsync: %s", fn, cudaGetErrorString(err));
        return RP_ERR_CUDA;
    }
    if (n == 0) return RP_OK;
    any_negative_kernel<<<rp::grid_for(n), rp::kThreads, 0, rp::as_stream(stream)>>>(x, n, result);
    return rp::check_launch(fn);
} catch (...) {
    return rp_internal_error("rp_any_negative_cuda");
}
