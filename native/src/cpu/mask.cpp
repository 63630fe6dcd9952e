// Structured (per-channel) masks, several at once: how one pass evaluates every rate of a
// pruning curve (the batch holds the same images once per rate).
#include "../common/rp_check.h"
#include "parallel.h"

// x, y: [groups * batch, c, inner]; mask: [groups, c]
int rp_channel_mask_cpu(const float *x, float *y, const float *mask, int64_t groups, int64_t batch,
                        int64_t c, int64_t inner) try {
    int st = rp::check_channel_mask("rp_channel_mask_cpu", x, y, mask, groups, batch, c, inner);
    if (st != RP_OK) return st;
    // rows (g, i) of c * inner elements, split over the kernel threads
    const int64_t row = c * inner;
    rp::parallel_for(groups * batch, row > 0 ? rp::kElementGrain / row + 1 : 1, [&](int64_t begin, int64_t end) {
        for (int64_t gi = begin; gi < end; gi++) {
            const int64_t g = gi / batch;
            for (int64_t ch = 0; ch < c; ch++) {
                const float m = mask[g * c + ch];
                const int64_t at = (gi * c + ch) * inner;
                for (int64_t e = 0; e < inner; e++) y[at + e] = m * x[at + e];
            }
        }
    });
    return RP_OK;
} catch (...) {
    return rp_internal_error("rp_channel_mask_cpu");
}
