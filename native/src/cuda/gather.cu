// Feature gathers, CUDA twin of cpu/gather.cpp. The index values are checked by the caller (they
// live on the device); an index outside [-1, c_in) reads nothing and writes 0.
#include "cuda_common.cuh"

namespace {

// x: [outer, c_in, inner]; y: [outer, c_out, inner]; index: [c_out]
__global__ void gather_features_kernel(const float *x, float *y, const int64_t *index, int64_t c_in,
                                       int64_t c_out, int64_t inner, int64_t total) {
    for (int64_t idx = rp::global_index(); idx < total; idx += rp::global_stride()) {
        const int64_t i = idx % inner, j = (idx / inner) % c_out, o = idx / (inner * c_out);
        const int64_t src = index[j];
        y[idx] = src >= 0 && src < c_in ? x[(o * c_in + src) * inner + i] : 0.0f;
    }
}

} // namespace

int rp_gather_features_cuda(const float *x, float *y, const int64_t *index, int64_t outer, int64_t c_in,
                            int64_t c_out, int64_t inner, void *stream) try {
    int st = rp::check_gather_features("rp_gather_features_cuda", x, y, index, outer, c_in, c_out, inner);
    if (st != RP_OK) return st;
    const int64_t total = outer * c_out * inner;
    if (total == 0) return RP_OK;
    gather_features_kernel<<<rp::grid_for(total), rp::kThreads, 0, rp::as_stream(stream)>>>(
        x, y, index, c_in, c_out, inner, total);
    return rp::check_launch("rp_gather_features_cuda");
} catch (...) {
    return rp_internal_error("rp_gather_features_cuda");
}
