// Adjoints (transposes) of average pooling, for LRP through pools: each input element gathers
// the windows that contain it, in ascending window order, so the result has one fixed order of
// additions (the CUDA twin adds in the same order, without atomics).
#include "../common/rp_check.h"
#include "parallel.h"

static inline int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); } // b > 0
static inline int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }
static inline int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

// g: [n, c, oh, ow] -> out: [n, c, h, w]; every window divides by kh*kw (count_include_pad)
int rp_avg_pool2d_adjoint_cpu(const float *g, float *out, int64_t n, int64_t c, int64_t h, int64_t w,
                              int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t ph, int64_t pw,
                              int64_t oh, int64_t ow) try {
    // the forward's geometry checks, out in the input's place and g in the output's
    int st = rp::check_pool2d("rp_avg_pool2d_adjoint_cpu", out, g, n, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow);
    if (st != RP_OK) return st;
    const float count = (float)(kh * kw);
    rp::parallel_for(n * c, rp::kElementGrain / (h * w + 1) + 1, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; p++) {
        const float *gp = g + p * oh * ow;
        float *op = out + p * h * w;
        for (int64_t hi = 0; hi < h; hi++) {
            // windows i with i*sh - ph <= hi < i*sh - ph + kh
            const int64_t i0 = max64(0, floor_div(hi + ph - kh, sh) + 1), i1 = min64(oh - 1, floor_div(hi + ph, sh));
            for (int64_t wi = 0; wi < w; wi++) {
                const int64_t j0 = max64(0, floor_div(wi + pw - kw, sw) + 1), j1 = min64(ow - 1, floor_div(wi + pw, sw));
                float acc = 0.0f;
                for (int64_t i = i0; i <= i1; i++)
                    for (int64_t j = j0; j <= j1; j++) acc += gp[i * ow + j] / count;
                op[hi * w + wi] = acc;
            }
        }
    }
    });
    return RP_OK;
} catch (...) {
    return rp_internal_error("rp_avg_pool2d_adjoint_cpu");
}

// g: [n, c, oh, ow] -> out: [n, c, h, w]; window i spans [floor(i*h/oh), ceil((i+1)*h/oh))
int rp_adaptive_avg_pool2d_adjoint_cpu(const float *g, float *out, int64_t n, int64_t c, int64_t h,
                                       int64_t w, int64_t oh, int64_t ow) try {
    int st = rp::check_adaptive_pool2d("rp_adaptive_avg_pool2d_adjoint_cpu", out, g, n, c, h, w, oh, ow);
    if (st != RP_OK) return st;
    rp::parallel_for(n * c, rp::kElementGrain / (h * w + 1) + 1, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; p++) {
        const float *gp = g + p * oh * ow;
        float *op = out + p * h * w;
        for (int64_t hi = 0; hi < h; hi++) {
            for (int64_t wi = 0; wi < w; wi++) {
                float acc = 0.0f;
                // windows are few (oh, ow small or windows of one element): test each
                for (int64_t i = 0; i < oh; i++) {
                    const int64_t h0 = i * h / oh, h1 = ((i + 1) * h + oh - 1) / oh;
                    if (hi < h0 || hi >= h1) continue;
                    for (int64_t j = 0; j < ow; j++) {
                        const int64_t w0 = j * w / ow, w1 = ((j + 1) * w + ow - 1) / ow;
                        if (wi < w0 || wi >= w1) continue;
                        acc += gp[i * ow + j] / (float)((h1 - h0) * (w1 - w0));
                    }
                }
                op[hi * w + wi] = acc;
            }
        }
    }
    });
    return RP_OK;
} catch (...) {
    return rp_internal_error("rp_adaptive_avg_pool2d_adjoint_cpu");
}
