// Small tensor steps of LRP besides the rule stages: the sign split of a signed input, feature
// read-outs and the sign test that lets the rules skip their x- terms.
#include <math.h>

#include <atomic>

#include "../common/rp_check.h"
#include "parallel.h"

// x: [outer, c, inner] -> out: [outer, 2c, inner] = [max(x, 0), min(x, 0)] along the feature axis
int rp_split_signs_cpu(const float *x, float *out, int64_t outer, int64_t c, int64_t inner) try {
    int st = rp::check_split_signs("rp_split_signs_cpu", x, out, outer, c, inner);
    if (st != RP_OK) return st;
    rp::parallel_for(outer, rp::kElementGrain / (c * inner + 1) + 1, [&](int64_t o0, int64_t o1) {
        for (int64_t o = o0; o < o1; o++) {
            for (int64_t ch = 0; ch < c; ch++) {
                const float *xr = x + (o * c + ch) * inner;
                float *pos = out + (o * 2 * c + ch) * inner, *neg = out + (o * 2 * c + c + ch) * inner;
                for (int64_t i = 0; i < inner; i++) {
                    pos[i] = xr[i] > 0.0f ? xr[i] : 0.0f;
                    neg[i] = xr[i] < 0.0f ? xr[i] : 0.0f;
                }
            }
        }
    });
    return RP_OK;
} catch (...) {
    return rp_internal_error("rp_split_signs_cpu");
}

// x: [outer, c, inner]; sums, abs_sums: [outer/group, c] (each may be NULL)
int rp_feature_sums_cpu(const float *x, int64_t outer, int64_t c, int64_t inner, int64_t group,
                        float *sums, float *abs_sums) try {
    int st = rp::check_feature_sums("rp_feature_sums_cpu", x, outer, c, inner, group, sums, abs_sums);
    if (st != RP_OK) return st;
    for (int64_t og = 0; og < outer / group; og++) {
        for (int64_t ch = 0; ch < c; ch++) {
            double sum = 0.0, abs_sum = 0.0;
            for (int64_t o = og * group; o < (og + 1) * group; o++) {
                const float *xr = x + (o * c + ch) * inner;
                for (int64_t i = 0; i < inner; i++) {
                    sum += xr[i];
                    abs_sum += fabsf(xr[i]);
                }
            }
            if (sums) sums[og * c + ch] = (float)sum;
            if (abs_sums) abs_sums[og * c + ch] = (float)abs_sum;
        }
    }
    return RP_OK;
} catch (...) {
    return rp_internal_error("rp_feature_sums_cpu");
}

// *result = 1 if some x[i] is negative or NaN, else 0 (then x- = 0 and the rules' x- terms vanish)
int rp_any_negative_cpu(const float *x, int64_t n, int *result) try {
    int st = rp::check_any_negative("rp_any_negative_cpu", x, n, result);
    if (st != RP_OK) return st;
    std::atomic<int> any{0};
    rp::parallel_for(n, rp::kElementGrain, [&](int64_t begin, int64_t end) {
        int all = 1;
        for (int64_t i = begin; i < end; i++) all &= x[i] >= 0.0f; // NaN compares false
        if (!all) any = 1;
    });
    *result = any.load();
    return RP_OK;
} catch (...) {
    return rp_internal_error("rp_any_negative_cpu");
}
