// Structured (per-channel) masks, CUDA twin of cpu/mask.cpp: every rate of a pruning curve in
// one batched pass.
#include "cuda_common.cuh"

namespace {

// x, y: [groups * batch, c, inner]; mask: [groups, c]
__global__ void channel_mask_kernel(const float *x, float *y, const float *mask, int64_t batch,
                                    int64_t c, int64_t inner, int64_t total) {
    for (int64_t idx = rp::global_index(); idx < total; idx += rp::global_stride()) {
        const int64_t ch = (idx / inner) % c, row = idx / (inner * c);
        y[idx] = mask[(row / batch) * c + ch] * x[idx];
    }
}

} // namespace

int rp_channel_mask_cuda(const float *x, float *y, const float *mask, int64_t groups, int64_t batch,
                         int64_t c, int64_t inner, void *stream) try {
    int st = rp::check_channel_mask("rp_channel_mask_cuda", x, y, mask, groups, batch, c, inner);
    if (st != RP_OK) return st;
    const int64_t total = groups * batch * c * inner;
    if (total == 0) return RP_OK;
    channel_mask_kernel<<<rp::grid_for(total), rp::kThreads, 0, rp::as_stream(stream)>>>(
        x, y, mask, batch, c, inner, total);
    return rp::check_launch("rp_channel_mask_cuda");
} catch (...) {
    return rp_internal_error("rp_channel_mask_cuda");
}
