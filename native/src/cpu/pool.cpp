// 2-D pooling over NCHW tensors, floor mode, with torch's semantics.
#include <math.h>

#include "../common/rp_check.h"

static inline int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
static inline int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }

// x: [n, c, h, w] -> y: [n, c, oh, ow]
int rp_max_pool2d_cpu(const float *x, float *y, int64_t n, int64_t c, int64_t h, int64_t w,
                      int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t ph, int64_t pw,
                      int64_t oh, int64_t ow) try {
    int st = rp::check_pool2d("rp_max_pool2d_cpu", x, y, n, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow);
    if (st != RP_OK) return st;
    for (int64_t p = 0; p < n * c; p++) {
        const float *xp = x + p * h * w;
        float *yp = y + p * oh * ow;
        for (int64_t i = 0; i < oh; i++) {
            for (int64_t j = 0; j < ow; j++) {
                // the window clipped to the real input: padding never wins (it is -inf)
                const int64_t h0 = max64(i * sh - ph, 0), h1 = min64(i * sh - ph + kh, h);
                const int64_t w0 = max64(j * sw - pw, 0), w1 = min64(j * sw - pw + kw, w);
                float m = -INFINITY;
                for (int64_t hi = h0; hi < h1; hi++) {
                    for (int64_t wi = w0; wi < w1; wi++) {
                        const float v = xp[hi * w + wi];
                        if (v > m || isnan(v)) m = v; // NaN wins, as in torch
                    }
                }
                yp[i * ow + j] = m;
            }
        }
    }
    return RP_OK;
} catch (...) {
    return rp_internal_error("rp_max_pool2d_cpu");
}

// x: [n, c, h, w] -> y: [n, c, oh, ow]
int rp_avg_pool2d_cpu(const float *x, float *y, int64_t n, int64_t c, int64_t h, int64_t w,
                      int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t ph, int64_t pw,
                      int64_t oh, int64_t ow) try {
    int st = rp::check_pool2d("rp_avg_pool2d_cpu", x, y, n, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow);
    if (st != RP_OK) return st;
    // count_include_pad: padded zeros count. In floor mode no window reaches past the padding,
    // so torch's divisor is always the full kh * kw.
    const float count = (float)(kh * kw);
    for (int64_t p = 0; p < n * c; p++) {
        const float *xp = x + p * h * w;
        float *yp = y + p * oh * ow;
        for (int64_t i = 0; i < oh; i++) {
            for (int64_t j = 0; j < ow; j++) {
                const int64_t h0 = max64(i * sh - ph, 0), h1 = min64(i * sh - ph + kh, h);
                const int64_t w0 = max64(j * sw - pw, 0), w1 = min64(j * sw - pw + kw, w);
                float sum = 0.0f;
                for (int64_t hi = h0; hi < h1; hi++)
                    for (int64_t wi = w0; wi < w1; wi++) sum += xp[hi * w + wi];
                yp[i * ow + j] = sum / count;
            }
        }
    }
    return RP_OK;
} catch (...) {
    return rp_internal_error("rp_avg_pool2d_cpu");
}

// x: [n, c, h, w] -> y: [n, c, oh, ow]. Output i averages input [floor(i*h/oh), ceil((i+1)*h/oh)):
// windows overlap when h is not a multiple of oh, exactly as torch.
int rp_adaptive_avg_pool2d_cpu(const float *x, float *y, int64_t n, int64_t c, int64_t h, int64_t w,
                               int64_t oh, int64_t ow) try {
    int st = rp::check_adaptive_pool2d("rp_adaptive_avg_pool2d_cpu", x, y, n, c, h, w, oh, ow);
    if (st != RP_OK) return st;
    for (int64_t p = 0; p < n * c; p++) {
        const float *xp = x + p * h * w;
        float *yp = y + p * oh * ow;
        for (int64_t i = 0; i < oh; i++) {
            const int64_t h0 = i * h / oh, h1 = ((i + 1) * h + oh - 1) / oh;
            for (int64_t j = 0; j < ow; j++) {
                const int64_t w0 = j * w / ow, w1 = ((j + 1) * w + ow - 1) / ow;
                float sum = 0.0f;
                for (int64_t hi = h0; hi < h1; hi++)
                    for (int64_t wi = w0; wi < w1; wi++) sum += xp[hi * w + wi];
                yp[i * ow + j] = sum / (float)((h1 - h0) * (w1 - w0));
            }
        }
    }
    return RP_OK;
} catch (...) {
    return rp_internal_error("rp_adaptive_avg_pool2d_cpu");
}
