// The elementwise stages of LRP around the dense adjoint (see relprune.h, "LRP stages"). One
// pass each over the tensors, with the component read-outs of the relevance folded into the
// signals pass. Arithmetic in float, as the libtorch expressions it replaces; sums in float lanes, combined
// in double.
#include <math.h>

#include <vector>

#include "../common/rp_check.h"

// The loops below are branch-free so that they vectorize; x86-64 builds also carry an AVX2
// version of each kernel, picked at load time (3.5x on max pooling's strided window reads).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define RP_VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define RP_VECTOR_CLONES
#endif

// stab(d) = d + eps * sgn(d), sgn(0) = +1: keeps the sign of the denominator, never 0 for eps > 0
// (a select between two constants, so that the loops around it stay branch-free)
static inline float stab(float d, float eps) { return d + (d >= 0.0f ? eps : -eps); }

namespace {
struct Signal {
    float coef, cz, cu, cb, cbp, cbn, coff, eps;
    int mask;
};
} // namespace

// r, z, u, offset: [outer, c, inner]; bias: [c]; s: [outer, k*c, inner]; sums: [outer/group, c]
RP_VECTOR_CLONES
int rp_lrp_signals_cpu(const float *r, const float *z, const float *u, const float *bias,
                       const float *offset, const double *specs, int64_t k, int64_t outer,
                       int64_t c, int64_t inner, float *s, int64_t group, float *sums,
                       float *abs_sums) try {
    int st = rp::check_lrp_signals("rp_lrp_signals_cpu", r, z, u, bias, offset, specs, k, outer,
                                   c, inner, s, group, sums, abs_sums);
    if (st != RP_OK) return st;
    Signal sig[RP_LRP_MAX_SIGNALS];
    for (int64_t t = 0; t < k; t++) {
        const double *sp = specs + t * RP_LRP_SIGNAL_FIELDS;
        sig[t] = {(float)sp[RP_SIG_COEFFICIENT], (float)sp[RP_SIG_CZ], (float)sp[RP_SIG_CU],
                  (float)sp[RP_SIG_CB], (float)sp[RP_SIG_CBP], (float)sp[RP_SIG_CBN],
                  (float)sp[RP_SIG_COFFSET], (float)sp[RP_SIG_EPSILON], (int)sp[RP_SIG_MASK]};
    }
    for (int64_t o = 0; o < outer; o++) {
        for (int64_t ch = 0; ch < c; ch++) {
            const float b = bias ? bias[ch] : 0.0f;
            const float bp = b > 0.0f ? b : 0.0f, bn = b < 0.0f ? b : 0.0f;
            const int64_t at = (o * c + ch) * inner;
            const float *rr = r + at, *zr = z + at;
            for (int64_t t = 0; t < k; t++) {
                const Signal &g = sig[t];
                // the per-channel part of the denominator, once per row
                const float den_b = g.cb * b + g.cbp * bp + g.cbn * bn;
                const float *ur = g.cu != 0.0f ? u + at : nullptr;
                const float *fr = g.coff != 0.0f ? offset + at : nullptr;
                float *out = s + ((o * k + t) * c + ch) * inner;
                // branch-free (signs of z are random: a branch per element mispredicts half the
                // time, which cost 7x here); the quotient is formed everywhere, then selected
                for (int64_t i = 0; i < inner; i++) {
                    const float zi = zr[i];
                    float den = g.cz * zi + den_b;
                    if (ur) den += g.cu * ur[i];
                    if (fr) den += g.coff * fr[i];
                    const float d = stab(den, g.eps);
                    const float q = g.coef * rr[i] / d;
                    const bool on = g.mask == 0 || (g.mask > 0 ? zi > 0.0f : zi < 0.0f);
                    out[i] = on ? q : 0.0f;
                }
            }
            if (sums != nullptr || abs_sums != nullptr) {
                // eight float lanes (vectorizable, a row is short), then the lanes in double
                float lane[8] = {0}, lane_abs[8] = {0};
                int64_t i = 0;
                for (; i + 8 <= inner; i += 8) {
                    for (int l = 0; l < 8; l++) {
                        lane[l] += rr[i + l];
                        lane_abs[l] += fabsf(rr[i + l]);
                    }
                }
                double sum = 0.0, abs_sum = 0.0;
                for (; i < inner; i++) {
                    sum += rr[i];
                    abs_sum += fabsf(rr[i]);
                }
                for (int l = 0; l < 8; l++) {
                    sum += lane[l];
                    abs_sum += lane_abs[l];
                }
                const int64_t gi = (o / group) * c + ch;
                // the first row of a group starts its sums
                const bool first = o % group == 0;
                if (sums) sums[gi] = (float)((first ? 0.0 : (double)sums[gi]) + sum);
                if (abs_sums) abs_sums[gi] = (float)((first ? 0.0 : (double)abs_sums[gi]) + abs_sum);
            }
        }
    }
    return RP_OK;
} catch (...) {
    return rp_internal_error("rp_lrp_signals_cpu");
}

// g: [outer, k*c, inner]; x, out: [outer, c, inner]
RP_VECTOR_CLONES
int rp_lrp_combine_cpu(const float *g, const float *x, const double *terms, int64_t k,
                       int64_t outer, int64_t c, int64_t inner, float *out) try {
    int st = rp::check_lrp_combine("rp_lrp_combine_cpu", g, x, terms, k, outer, c, inner, out);
    if (st != RP_OK) return st;
    for (int64_t o = 0; o < outer; o++) {
        for (int64_t ch = 0; ch < c; ch++) {
            const int64_t at = (o * c + ch) * inner;
            const float *xr = x ? x + at : nullptr;
            float *yr = out + at;
            // the terms are added in order, as sum_t f_t * g_t reads
            for (int64_t t = 0; t < k; t++) {
                const int factor = (int)terms[t * RP_LRP_TERM_FIELDS];
                const float cst = (float)terms[t * RP_LRP_TERM_FIELDS + 1];
                const float *gr = g + ((o * k + t) * c + ch) * inner;
                const bool first = t == 0;
                for (int64_t i = 0; i < inner; i++) {
                    float f;
                    if (factor == RP_FACTOR_X) f = xr[i];
                    else if (factor == RP_FACTOR_X_POS) f = xr[i] > 0.0f ? xr[i] : 0.0f;
                    else if (factor == RP_FACTOR_X_NEG) f = xr[i] < 0.0f ? xr[i] : 0.0f;
                    else f = cst;
                    const float v = f * gr[i];
                    yr[i] = first ? v : yr[i] + v;
                }
            }
        }
    }
    return RP_OK;
} catch (...) {
    return rp_internal_error("rp_lrp_combine_cpu");
}

// num, den, x, out: [n]
RP_VECTOR_CLONES
int rp_lrp_ratio_cpu(const float *num, const float *den, const float *x, float *out, int64_t n,
                     double eps) try {
    int st = rp::check_lrp_ratio("rp_lrp_ratio_cpu", num, den, out, n, eps);
    if (st != RP_OK) return st;
    for (int64_t i = 0; i < n; i++) {
        const float q = num[i] / stab(den[i], (float)eps);
        out[i] = x ? x[i] * q : q;
    }
    return RP_OK;
} catch (...) {
    return rp_internal_error("rp_lrp_ratio_cpu");
}

// x, out: [n, c, h, w]; r: [n, c, oh, ow]
RP_VECTOR_CLONES
int rp_lrp_max_pool2d_winners_cpu(const float *x, const float *r, float *out, int64_t n, int64_t c,
                                  int64_t h, int64_t w, int64_t kh, int64_t kw, int64_t sh,
                                  int64_t sw, int64_t ph, int64_t pw, int64_t oh, int64_t ow) try {
    const char *fn = "rp_lrp_max_pool2d_winners_cpu";
    int st = rp::check_pool2d(fn, x, r, n, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow);
    if (st != RP_OK) return st;
    rp::Args a(fn);
    a.ptr("out", out, n * c * h * w); // the shape is known not to overflow by now
    if (!a.ok()) return a.status();
    // One output row at a time, all its windows side by side: each window still visits its
    // elements in row-major order (the first maximum wins ties), but the ow windows are
    // independent, so the compare-and-select chains overlap instead of running one by one.
    std::vector<float> best((size_t)ow);
    std::vector<int64_t> win((size_t)ow);
    for (int64_t p = 0; p < n * c; p++) {
        const float *xp = x + p * h * w;
        const float *rp_ = r + p * oh * ow;
        float *op = out + p * h * w;
        for (int64_t e = 0; e < h * w; e++) op[e] = 0.0f;
        for (int64_t i = 0; i < oh; i++) {
            for (int64_t j = 0; j < ow; j++) {
                best[j] = -INFINITY;
                win[j] = -1;
            }
            for (int64_t a = 0; a < kh; a++) {
                const int64_t hi = i * sh - ph + a;
                if (hi < 0 || hi >= h) continue; // padding never wins
                const float *row = xp + hi * w;
                for (int64_t b = 0; b < kw; b++) {
                    // the windows j whose column j*sw - pw + b lies inside the input
                    const int64_t off = b - pw;
                    const int64_t j0 = off >= 0 ? 0 : (-off + sw - 1) / sw;
                    int64_t j1 = off < w ? (w - 1 - off) / sw + 1 : 0;
                    if (j1 > ow) j1 = ow;
                    for (int64_t j = j0; j < j1; j++) {
                        const float v = row[j * sw + off];
                        const float m = best[j];
                        // strictly greater keeps the first maximum; the first NaN wins; the
                        // window's first element holds it when nothing beats it (all -inf)
                        const bool better = (v > m) | ((v != v) & (m == m)) | (win[j] < 0);
                        best[j] = better ? v : m;
                        win[j] = better ? hi * w + j * sw + off : win[j];
                    }
                }
            }
            // every window holds at least one real element (checked: pad <= kernel / 2)
            for (int64_t j = 0; j < ow; j++) op[win[j]] += rp_[i * ow + j];
        }
    }
    return RP_OK;
} catch (...) {
    return rp_internal_error("rp_lrp_max_pool2d_winners_cpu");
}
