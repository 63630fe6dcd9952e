// The elementwise LRP stages, CUDA twins of cpu/lrp.cpp (the specification): signals (their
// read-outs by rp_feature_sums_cuda), combine, ratio and max pooling's winner-takes-all. The
// specs and terms arrays are host memory in both twins (a few doubles, passed by value).
#include "cuda_common.cuh"

namespace {

struct Signal {
    float coef, cz, cu, cb, cbp, cbn, coff, eps;
    int mask;
};
struct Signals {
    Signal s[RP_LRP_MAX_SIGNALS];
};
struct Terms {
    int factor[RP_LRP_MAX_SIGNALS];
    float constant[RP_LRP_MAX_SIGNALS];
};

// stab(d) = d + eps * sgn(d), sgn(0) = +1, as the CPU twin
__device__ __forceinline__ float stab(float d, float eps) { return __fadd_rn(d, d >= 0.0f ? eps : -eps); }

// one thread per element of r [outer, c, inner], all k signals of it
__global__ void signals_kernel(const float *r, const float *z, const float *u, const float *bias,
                               const float *offset, Signals sig, int k, int64_t outer, int64_t c,
                               int64_t inner, float *s) {
    const int64_t total = outer * c * inner;
    for (int64_t idx = rp::global_index(); idx < total; idx += rp::global_stride()) {
        const int64_t i = idx % inner, ch = (idx / inner) % c, o = idx / (inner * c);
        const float b = bias ? bias[ch] : 0.0f;
        const float bp = b > 0.0f ? b : 0.0f, bn = b < 0.0f ? b : 0.0f;
        const float zi = z[idx], ri = r[idx];
        for (int t = 0; t < k; t++) {
            const Signal g = sig.s[t];
            // the CPU twin's operations in its order, each rounded on its own (no fused
            // multiply-add: near a zero denominator a different rounding changes the quotient)
            const float den_b = __fadd_rn(__fadd_rn(__fmul_rn(g.cb, b), __fmul_rn(g.cbp, bp)), __fmul_rn(g.cbn, bn));
            float den = __fadd_rn(__fmul_rn(g.cz, zi), den_b);
            if (g.cu != 0.0f) den = __fadd_rn(den, __fmul_rn(g.cu, u[idx]));
            if (g.coff != 0.0f) den = __fadd_rn(den, __fmul_rn(g.coff, offset[idx]));
            const float q = __fdiv_rn(__fmul_rn(g.coef, ri), stab(den, g.eps));
            const bool on = g.mask == 0 || (g.mask > 0 ? zi > 0.0f : zi < 0.0f);
            s[((o * k + t) * c + ch) * inner + i] = on ? q : 0.0f;
        }
    }
}

__global__ void combine_kernel(const float *g, const float *x, Terms terms, int k, int64_t outer,
                               int64_t c, int64_t inner, float *out) {
    const int64_t total = outer * c * inner;
    for (int64_t idx = rp::global_index(); idx < total; idx += rp::global_stride()) {
        const int64_t i = idx % inner, ch = (idx / inner) % c, o = idx / (inner * c);
        const float xi = x ? x[idx] : 0.0f;
        float y = 0.0f;
        // the terms in order, as the CPU twin adds them
        for (int t = 0; t < k; t++) {
            const int factor = terms.factor[t];
            const float f = factor == RP_FACTOR_X ? xi
                            : factor == RP_FACTOR_X_POS ? (xi > 0.0f ? xi : 0.0f)
                            : factor == RP_FACTOR_X_NEG ? (xi < 0.0f ? xi : 0.0f)
                            : factor == RP_FACTOR_X_PLUS ? __fadd_rn(xi, terms.constant[t])
                                                        : terms.constant[t];
            const float v = __fmul_rn(f, g[((o * k + t) * c + ch) * inner + i]);
            y = t == 0 ? v : __fadd_rn(y, v);
        }
        out[idx] = y;
    }
}

__global__ void ratio_kernel(const float *num, const float *den, const float *x, float *out,
                             int64_t n, float eps) {
    for (int64_t idx = rp::global_index(); idx < n; idx += rp::global_stride()) {
        const float q = __fdiv_rn(num[idx], stab(den[idx], eps));
        out[idx] = x ? __fmul_rn(x[idx], q) : q;
    }
}

// The winner of window (i, j) of plane xp: the first maximum in row-major order, NaN winning,
// and the window's first element when nothing beats it (all -inf), as the CPU twin.
__device__ int64_t window_winner(const float *xp, int64_t h, int64_t w, int64_t kh, int64_t kw,
                                 int64_t sh, int64_t sw, int64_t ph, int64_t pw, int64_t i,
                                 int64_t j) {
    float best = -INFINITY;
    int64_t win = -1;
    for (int64_t a = 0; a < kh; a++) {
        const int64_t hi = i * sh - ph + a;
        if (hi < 0 || hi >= h) continue; // padding never wins
        for (int64_t b = 0; b < kw; b++) {
            const int64_t wi = j * sw - pw + b;
            if (wi < 0 || wi >= w) continue;
            const float v = xp[hi * w + wi];
            if (v > best || (isnan(v) && !isnan(best)) || win < 0) {
                best = v;
                win = hi * w + wi;
            }
        }
    }
    return win;
}

__device__ __forceinline__ int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
__device__ __forceinline__ int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }
__device__ __forceinline__ int64_t floor_div(int64_t a, int64_t b) { // b > 0
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

// One thread per input element (a gather, so no atomics and a fixed order): it adds the relevance
// of every window that contains it and that it wins, windows in ascending order as the CPU twin.
__global__ void max_pool2d_winners_kernel(const float *x, const float *r, float *out, int64_t nc,
                                          int64_t h, int64_t w, int64_t kh, int64_t kw, int64_t sh,
                                          int64_t sw, int64_t ph, int64_t pw, int64_t oh,
                                          int64_t ow) {
    const int64_t total = nc * h * w;
    for (int64_t idx = rp::global_index(); idx < total; idx += rp::global_stride()) {
        const int64_t e = idx % (h * w), p = idx / (h * w);
        const int64_t hi = e / w, wi = e % w;
        const float *xp = x + p * h * w;
        const float *rp_ = r + p * oh * ow;
        // the windows (i, j) that contain (hi, wi): i*sh - ph <= hi < i*sh - ph + kh
        const int64_t i0 = max64(0, floor_div(hi + ph - kh, sh) + 1);
        const int64_t i1 = min64(oh - 1, floor_div(hi + ph, sh));
        const int64_t j0 = max64(0, floor_div(wi + pw - kw, sw) + 1);
        const int64_t j1 = min64(ow - 1, floor_div(wi + pw, sw));
        float acc = 0.0f;
        for (int64_t i = i0; i <= i1; i++) {
            for (int64_t j = j0; j <= j1; j++) {
                if (window_winner(xp, h, w, kh, kw, sh, sw, ph, pw, i, j) == e) acc += rp_[i * ow + j];
            }
        }
        out[idx] = acc;
    }
}

} // namespace

int rp_lrp_signals_cuda(const float *r, const float *z, const float *u, const float *bias,
                        const float *offset, const double *specs, int64_t k, int64_t outer,
                        int64_t c, int64_t inner, float *s, int64_t group, float *sums,
                        float *abs_sums, void *stream) try {
    const char *fn = "rp_lrp_signals_cuda";
    int st = rp::check_lrp_signals(fn, r, z, u, bias, offset, specs, k, outer, c, inner, s, group,
                                   sums, abs_sums);
    if (st != RP_OK) return st;
    Signals sig{};
    for (int64_t t = 0; t < k; t++) {
        const double *sp = specs + t * RP_LRP_SIGNAL_FIELDS;
        sig.s[t] = {(float)sp[RP_SIG_COEFFICIENT], (float)sp[RP_SIG_CZ], (float)sp[RP_SIG_CU],
                    (float)sp[RP_SIG_CB], (float)sp[RP_SIG_CBP], (float)sp[RP_SIG_CBN],
                    (float)sp[RP_SIG_COFFSET], (float)sp[RP_SIG_EPSILON], (int)sp[RP_SIG_MASK]};
    }
    const int64_t total = outer * c * inner;
    if (total == 0) return RP_OK;
    signals_kernel<<<rp::grid_for(total), rp::kThreads, 0, rp::as_stream(stream)>>>(
        r, z, u, bias, offset, sig, (int)k, outer, c, inner, s);
    if ((st = rp::check_launch(fn)) != RP_OK) return st;
    // the read-outs of r: the feature sums kernel, on the same stream
    return rp_feature_sums_cuda(r, outer, c, inner, group, sums, abs_sums, stream);
} catch (...) {
    return rp_internal_error("rp_lrp_signals_cuda");
}

int rp_lrp_combine_cuda(const float *g, const float *x, const double *terms, int64_t k,
                        int64_t outer, int64_t c, int64_t inner, float *out, void *stream) try {
    const char *fn = "rp_lrp_combine_cuda";
    int st = rp::check_lrp_combine(fn, g, x, terms, k, outer, c, inner, out);
    if (st != RP_OK) return st;
    Terms tm{};
    for (int64_t t = 0; t < k; t++) {
        tm.factor[t] = (int)terms[t * RP_LRP_TERM_FIELDS];
        tm.constant[t] = (float)terms[t * RP_LRP_TERM_FIELDS + 1];
    }
    const int64_t total = outer * c * inner;
    if (total == 0) return RP_OK;
    combine_kernel<<<rp::grid_for(total), rp::kThreads, 0, rp::as_stream(stream)>>>(
        g, x, tm, (int)k, outer, c, inner, out);
    return rp::check_launch(fn);
} catch (...) {
    return rp_internal_error("rp_lrp_combine_cuda");
}

int rp_lrp_ratio_cuda(const float *num, const float *den, const float *x, float *out, int64_t n,
                      double eps, void *stream) try {
    const char *fn = "rp_lrp_ratio_cuda";
    int st = rp::check_lrp_ratio(fn, num, den, out, n, eps);
    if (st != RP_OK) return st;
    if (n == 0) return RP_OK;
    ratio_kernel<<<rp::grid_for(n), rp::kThreads, 0, rp::as_stream(stream)>>>(num, den, x, out, n,
                                                                             (float)eps);
    return rp::check_launch(fn);
} catch (...) {
    return rp_internal_error("rp_lrp_ratio_cuda");
}

int rp_lrp_max_pool2d_winners_cuda(const float *x, const float *r, float *out, int64_t n, int64_t c,
                                   int64_t h, int64_t w, int64_t kh, int64_t kw, int64_t sh,
                                   int64_t sw, int64_t ph, int64_t pw, int64_t oh, int64_t ow,
                                   void *stream) try {
    const char *fn = "rp_lrp_max_pool2d_winners_cuda";
    int st = rp::check_pool2d(fn, x, r, n, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow);
    if (st != RP_OK) return st;
    rp::Args a(fn);
    a.ptr("out", out, n * c * h * w);
    if (!a.ok()) return a.status();
    const int64_t total = n * c * h * w;
    if (total == 0) return RP_OK;
    max_pool2d_winners_kernel<<<rp::grid_for(total), rp::kThreads, 0, rp::as_stream(stream)>>>(
        x, r, out, n * c, h, w, kh, kw, sh, sw, ph, pw, oh, ow);
    return rp::check_launch(fn);
} catch (...) {
    return rp_internal_error("rp_lrp_max_pool2d_winners_cuda");
}
