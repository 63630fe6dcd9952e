// Feature gathers: the kept channels (or neurons) of a pruned layer taken out of a tensor, and
// put back among zeros at the full width, for evaluating pruned networks at their own size.
#include "../common/rp_check.h"
#include "parallel.h"

// x: [outer, c_in, inner]; y: [outer, c_out, inner]; index: [c_out], -1 = a zero feature
int rp_gather_features_cpu(const float *x, float *y, const int64_t *index, int64_t outer, int64_t c_in,
                           int64_t c_out, int64_t inner) try {
    const char *fn = "rp_gather_features_cpu";
    int st = rp::check_gather_features(fn, x, y, index, outer, c_in, c_out, inner);
    if (st != RP_OK) return st;
    for (int64_t j = 0; j < c_out; j++) {
        if (index[j] < -1 || index[j] >= c_in) {
            rp_set_error("%s: index[%lld] = %lld is outside [-1, %lld)", fn, (long long)j, (long long)index[j],
                         (long long)c_in);
            return RP_ERR_INVALID_ARGUMENT;
        }
    }
    rp::parallel_for(outer, rp::kElementGrain / (c_out * inner + 1) + 1, [&](int64_t o0, int64_t o1) {
        for (int64_t o = o0; o < o1; o++) {
            const float *xr = x + o * c_in * inner;
            float *yr = y + o * c_out * inner;
            if (inner == 1) {
                // features innermost (channels-last images, dense layers): one gather per row
                for (int64_t j = 0; j < c_out; j++) yr[j] = index[j] >= 0 ? xr[index[j]] : 0.0f;
                continue;
            }
            for (int64_t j = 0; j < c_out; j++) {
                float *yj = yr + j * inner;
                if (index[j] < 0) {
                    for (int64_t i = 0; i < inner; i++) yj[i] = 0.0f;
                } else {
                    const float *xj = xr + index[j] * inner;
                    for (int64_t i = 0; i < inner; i++) yj[i] = xj[i];
                }
            }
        }
    });
    return RP_OK;
} catch (...) {
    return rp_internal_error("rp_gather_features_cpu");
}
