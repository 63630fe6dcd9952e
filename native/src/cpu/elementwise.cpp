// Elementwise kernels. These CPU twins are the specification the CUDA twins are tested against.
#include <math.h>

#include "../common/rp_check.h"
#include "parallel.h"

// Written as a comparison rather than fmaxf so that NaN propagates, as torch.relu does.
static inline float relu(float v) { return v < 0.0f ? 0.0f : v; }

// x * Phi(x) with Phi(x) = erfc(-x / sqrt(2)) / 2: the same function as torch's
// 0.5 * x * (1 + erf(x / sqrt(2))), but without cancellation for negative x.
static inline float gelu(float v) { return 0.5f * v * erfcf(-v * 0.70710678118654752440f); }

// x, y: [n]
int rp_relu_cpu(const float *x, float *y, int64_t n) try {
    int st = rp::check_unary("rp_relu_cpu", x, y, n);
    if (st != RP_OK) return st;
    rp::parallel_for(n, rp::kElementGrain, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; i++) y[i] = relu(x[i]);
    });
    return RP_OK;
} catch (...) {
    return rp_internal_error("rp_relu_cpu");
}

// x, y: [n]
int rp_gelu_cpu(const float *x, float *y, int64_t n) try {
    int st = rp::check_unary("rp_gelu_cpu", x, y, n);
    if (st != RP_OK) return st;
    rp::parallel_for(n, rp::kElementGrain / 16, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; i++) y[i] = gelu(x[i]);
    });
    return RP_OK;
} catch (...) {
    return rp_internal_error("rp_gelu_cpu");
}

// a, b, y: [n]
int rp_add_cpu(const float *a, const float *b, float *y, int64_t n) try {
    int st = rp::check_add("rp_add_cpu", a, b, y, n);
    if (st != RP_OK) return st;
    rp::parallel_for(n, rp::kElementGrain, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; i++) y[i] = a[i] + b[i];
    });
    return RP_OK;
} catch (...) {
    return rp_internal_error("rp_add_cpu");
}

// x, y: [n, c, hw]; scale, shift: [c], NULL meaning 1 and 0
int rp_channel_affine_cpu(const float *x, float *y, const float *scale, const float *shift,
                          int64_t n, int64_t c, int64_t hw, int relu_after) try {
    int st = rp::check_channel_affine("rp_channel_affine_cpu", x, y, n, c, hw);
    if (st != RP_OK) return st;
    // rows of c * hw elements, split over the kernel threads
    const int64_t row = c * hw;
    rp::parallel_for(n, row > 0 ? rp::kElementGrain / row + 1 : n, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; i++) {
            for (int64_t ch = 0; ch < c; ch++) {
                const float s = scale ? scale[ch] : 1.0f;
                const float t = shift ? shift[ch] : 0.0f;
                const float *xp = x + (i * c + ch) * hw;
                float *yp = y + (i * c + ch) * hw;
                for (int64_t j = 0; j < hw; j++) {
                    const float v = xp[j] * s + t;
                    yp[j] = relu_after ? relu(v) : v;
                }
            }
        }
    });
    return RP_OK;
} catch (...) {
    return rp_internal_error("rp_channel_affine_cpu");
}
