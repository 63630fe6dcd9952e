// Row-wise normalizations over the last dimension. Statistics are accumulated in double:
// the CPU twin is the reference, so it is the most accurate of the two.
#include <math.h>

#include "../common/rp_check.h"
#include "parallel.h"

// x, y: [rows, cols]; gamma, beta: [cols], NULL meaning 1 and 0
int rp_layernorm_cpu(const float *x, float *y, const float *gamma, const float *beta,
                     int64_t rows, int64_t cols, float eps) try {
    int st = rp::check_layernorm("rp_layernorm_cpu", x, y, rows, cols, eps);
    if (st != RP_OK) return st;
    if (cols == 0) return RP_OK;
    rp::parallel_for(rows, rp::kElementGrain / (cols + 1) + 1, [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; r++) {
            const float *xr = x + r * cols;
            float *yr = y + r * cols;
            double mean = 0.0;
            for (int64_t j = 0; j < cols; j++) mean += xr[j];
            mean /= (double)cols;
            // two passes rather than E[x^2] - mean^2, which cancels badly for large means
            double var = 0.0;
            for (int64_t j = 0; j < cols; j++) {
                const double d = xr[j] - mean;
                var += d * d;
            }
            var /= (double)cols; // biased, as torch
            const double rstd = 1.0 / sqrt(var + (double)eps);
            for (int64_t j = 0; j < cols; j++) {
                float v = (float)((xr[j] - mean) * rstd);
                if (gamma) v *= gamma[j];
                if (beta) v += beta[j];
                yr[j] = v;
            }
        }
    });
    return RP_OK;
} catch (...) {
    return rp_internal_error("rp_layernorm_cpu");
}

// x, y: [rows, cols]
int rp_softmax_cpu(const float *x, float *y, int64_t rows, int64_t cols) try {
    int st = rp::check_rows("rp_softmax_cpu", x, y, rows, cols);
    if (st != RP_OK) return st;
    rp::parallel_for(rows, rp::kElementGrain / (cols + 1) + 1, [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; r++) {
            const float *xr = x + r * cols;
            float *yr = y + r * cols;
            // subtracting the max keeps exp() <= 1: no overflow, same result
            float maxv = -INFINITY;
            for (int64_t j = 0; j < cols; j++) maxv = xr[j] > maxv ? xr[j] : maxv;
            double sum = 0.0;
            for (int64_t j = 0; j < cols; j++) {
                const float e = expf(xr[j] - maxv);
                yr[j] = e; // x is no longer needed here, so x == y is fine
                sum += e;
            }
            for (int64_t j = 0; j < cols; j++) yr[j] = (float)(yr[j] / sum);
        }
    });
    return RP_OK;
} catch (...) {
    return rp_internal_error("rp_softmax_cpu");
}
