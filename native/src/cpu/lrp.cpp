// The elementwise stages of LRP around the dense adjoint (see relprune.h, "LRP stages"). One
// pass each over the tensors, with the component read-outs of the relevance folded into the
// signals pass. Arithmetic in float, as the libtorch expressions it replaces; sums in float lanes, combined
// in double.
#include <math.h>

#include <vector>

#include "../common/rp_check.h"
#include "parallel.h"

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

// The loops the kernels spend their time in, as functions of their own: the AVX2 clones are made
// per function, and a lambda handed to the thread pool would get none.

// One row of c features of signal g: out = coef * mask(z) * r / stab(cz*z + den_b + cu*u + coff*off)
RP_VECTOR_CLONES
static void signal_row(const Signal &g, const float *rr, const float *zr, const float *ur, const float *fr,
                       const float *den_b, int64_t c, float *out) {
    const float cz = g.cz, cu = g.cu, coff = g.coff, coef = g.coef, eps = g.eps;
    const int mask = g.mask;
    // the optional terms' tests outside the loops, so that each loop vectorizes
    if (ur == nullptr && fr == nullptr) {
        for (int64_t ch = 0; ch < c; ch++) {
            const float zi = zr[ch];
            const float q = coef * rr[ch] / stab(cz * zi + den_b[ch], eps);
            const bool on = mask == 0 || (mask > 0 ? zi > 0.0f : zi < 0.0f);
            out[ch] = on ? q : 0.0f;
        }
    } else if (fr == nullptr) {
        for (int64_t ch = 0; ch < c; ch++) {
            const float zi = zr[ch];
            const float q = coef * rr[ch] / stab(cz * zi + den_b[ch] + cu * ur[ch], eps);
            const bool on = mask == 0 || (mask > 0 ? zi > 0.0f : zi < 0.0f);
            out[ch] = on ? q : 0.0f;
        }
    } else {
        for (int64_t ch = 0; ch < c; ch++) {
            const float zi = zr[ch];
            float den = cz * zi + den_b[ch];
            if (ur) den += cu * ur[ch];
            den += coff * fr[ch];
            const float q = coef * rr[ch] / stab(den, eps);
            const bool on = mask == 0 || (mask > 0 ? zi > 0.0f : zi < 0.0f);
            out[ch] = on ? q : 0.0f;
        }
    }
}

// A run of inner positions of one feature (channels-first): as signal_row with one den_b for all.
// Branch-free (signs of z are random: a branch per element mispredicts half the time, which cost
// 7x here); the quotient is formed everywhere, then selected.
RP_VECTOR_CLONES
static void signal_run(const Signal &g, const float *rr, const float *zr, const float *ur, const float *fr,
                       float den_b, int64_t inner, float *out) {
    const float cz = g.cz, cu = g.cu, coff = g.coff, coef = g.coef, eps = g.eps;
    const int mask = g.mask;
    for (int64_t i = 0; i < inner; i++) {
        const float zi = zr[i];
        float den = cz * zi + den_b;
        if (ur) den += cu * ur[i];
        if (fr) den += coff * fr[i];
        const float q = coef * rr[i] / stab(den, eps);
        const bool on = mask == 0 || (mask > 0 ? zi > 0.0f : zi < 0.0f);
        out[i] = on ? q : 0.0f;
    }
}

// sum and sum of |.| of a run of inner values: eight float lanes (vectorizable, a run is short),
// then the lanes in double
RP_VECTOR_CLONES
static void run_sums(const float *rr, int64_t inner, double *sum_out, double *abs_out) {
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
    *sum_out = sum;
    *abs_out = abs_sum;
}

// acc[ch] += r[ch], acc_abs[ch] += |r[ch]| over one row of c features
RP_VECTOR_CLONES
static void accumulate_row(const float *rr, int64_t c, double *acc, double *acc_abs) {
    for (int64_t ch = 0; ch < c; ch++) {
        acc[ch] += rr[ch];
        acc_abs[ch] += fabsf(rr[ch]);
    }
}

// y (+)= f(x) * g over one row of c features, f by the term's factor
RP_VECTOR_CLONES
static void combine_row(int factor, float cst, const float *xr, const float *gr, int64_t c, bool first, float *yr) {
    if (factor == RP_FACTOR_X) {
        for (int64_t ch = 0; ch < c; ch++) yr[ch] = (first ? 0.0f : yr[ch]) + xr[ch] * gr[ch];
    } else if (factor == RP_FACTOR_X_POS) {
        for (int64_t ch = 0; ch < c; ch++) yr[ch] = (first ? 0.0f : yr[ch]) + (xr[ch] > 0.0f ? xr[ch] : 0.0f) * gr[ch];
    } else if (factor == RP_FACTOR_X_NEG) {
        for (int64_t ch = 0; ch < c; ch++) yr[ch] = (first ? 0.0f : yr[ch]) + (xr[ch] < 0.0f ? xr[ch] : 0.0f) * gr[ch];
    } else if (factor == RP_FACTOR_X_PLUS) {
        for (int64_t ch = 0; ch < c; ch++) yr[ch] = (first ? 0.0f : yr[ch]) + (xr[ch] + cst) * gr[ch];
    } else {
        for (int64_t ch = 0; ch < c; ch++) yr[ch] = (first ? 0.0f : yr[ch]) + cst * gr[ch];
    }
}

// out = num / stab(den) (times x) over [begin, end)
RP_VECTOR_CLONES
static void ratio_range(const float *num, const float *den, const float *x, float *out, int64_t begin, int64_t end, float eps) {
    if (x) {
        for (int64_t i = begin; i < end; i++) out[i] = x[i] * (num[i] / stab(den[i], eps));
    } else {
        for (int64_t i = begin; i < end; i++) out[i] = num[i] / stab(den[i], eps);
    }
}

// r, z, u, offset: [outer, c, inner]; bias: [c]; s: [outer, k*c, inner]; sums: [outer/group, c]
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
    const bool readout = sums != nullptr || abs_sums != nullptr;
    if (!readout) group = 1; // not looked at without read-outs; rows are split one by one
    if (inner == 1) {
        // features innermost (dense layers, tokens, channels-last images): one row of c features
        // at a time, vectorized over the features
        std::vector<float> den_b((size_t)(k * c));
        for (int64_t t = 0; t < k; t++) {
            for (int64_t ch = 0; ch < c; ch++) {
                const float b = bias ? bias[ch] : 0.0f;
                const float bp = b > 0.0f ? b : 0.0f, bn = b < 0.0f ? b : 0.0f;
                den_b[t * c + ch] = sig[t].cb * b + sig[t].cbp * bp + sig[t].cbn * bn;
            }
        }
        // whole read-out groups per thread: a group's sums are accumulated by one thread
        rp::parallel_for(outer / group, rp::kElementGrain / (group * c * k + 1) + 1, [&](int64_t g0, int64_t g1) {
            std::vector<double> acc((size_t)(readout ? c : 0)), acc_abs((size_t)(readout ? c : 0));
            for (int64_t og = g0; og < g1; og++) {
                for (int64_t ch = 0; ch < (readout ? c : 0); ch++) acc[ch] = acc_abs[ch] = 0.0;
                for (int64_t o = og * group; o < (og + 1) * group; o++) {
                    const float *rr = r + o * c, *zr = z + o * c;
                    for (int64_t t = 0; t < k; t++) {
                        const Signal &g = sig[t];
                        signal_row(g, rr, zr, g.cu != 0.0f ? u + o * c : nullptr, g.coff != 0.0f ? offset + o * c : nullptr,
                                   den_b.data() + t * c, c, s + (o * k + t) * c);
                    }
                    if (readout) accumulate_row(rr, c, acc.data(), acc_abs.data());
                }
                if (sums) for (int64_t ch = 0; ch < c; ch++) sums[og * c + ch] = (float)acc[ch];
                if (abs_sums) for (int64_t ch = 0; ch < c; ch++) abs_sums[og * c + ch] = (float)acc_abs[ch];
            }
        });
        return RP_OK;
    }
    // features outside the inner positions (channels-first images): a row of inner positions
    // per (o, ch); whole read-out groups per thread
    rp::parallel_for(outer / group, rp::kElementGrain / (group * c * inner * k + 1) + 1, [&](int64_t g0, int64_t g1) {
    for (int64_t o = g0 * group; o < g1 * group; o++) {
        for (int64_t ch = 0; ch < c; ch++) {
            const float b = bias ? bias[ch] : 0.0f;
            const float bp = b > 0.0f ? b : 0.0f, bn = b < 0.0f ? b : 0.0f;
            const int64_t at = (o * c + ch) * inner;
            const float *rr = r + at, *zr = z + at;
            for (int64_t t = 0; t < k; t++) {
                const Signal &g = sig[t];
                // the per-channel part of the denominator, once per row
                signal_run(g, rr, zr, g.cu != 0.0f ? u + at : nullptr, g.coff != 0.0f ? offset + at : nullptr,
                           g.cb * b + g.cbp * bp + g.cbn * bn, inner, s + ((o * k + t) * c + ch) * inner);
            }
            if (readout) {
                double sum, abs_sum;
                run_sums(rr, inner, &sum, &abs_sum);
                const int64_t gi = (o / group) * c + ch;
                // the first row of a group starts its sums
                const bool first = o % group == 0;
                if (sums) sums[gi] = (float)((first ? 0.0 : (double)sums[gi]) + sum);
                if (abs_sums) abs_sums[gi] = (float)((first ? 0.0 : (double)abs_sums[gi]) + abs_sum);
            }
        }
    }
    });
    return RP_OK;
} catch (...) {
    return rp_internal_error("rp_lrp_signals_cpu");
}

// g: [outer, k*c, inner]; x, out: [outer, c, inner]
int rp_lrp_combine_cpu(const float *g, const float *x, const double *terms, int64_t k,
                       int64_t outer, int64_t c, int64_t inner, float *out) try {
    int st = rp::check_lrp_combine("rp_lrp_combine_cpu", g, x, terms, k, outer, c, inner, out);
    if (st != RP_OK) return st;
    if (inner == 1) {
        // features innermost: a row of c features per term, vectorized over the features
        rp::parallel_for(outer, rp::kElementGrain / (c * k + 1) + 1, [&](int64_t o0, int64_t o1) {
            for (int64_t o = o0; o < o1; o++) {
                const float *xr = x ? x + o * c : nullptr;
                float *yr = out + o * c;
                for (int64_t t = 0; t < k; t++) {
                    const int factor = (int)terms[t * RP_LRP_TERM_FIELDS];
                    const float cst = (float)terms[t * RP_LRP_TERM_FIELDS + 1];
                    const float *gr = g + (o * k + t) * c;
                    combine_row(factor, cst, xr, gr, c, t == 0, yr);
                }
            }
        });
        return RP_OK;
    }
    rp::parallel_for(outer, rp::kElementGrain / (c * inner * k + 1) + 1, [&](int64_t o0, int64_t o1) {
    for (int64_t o = o0; o < o1; o++) {
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
                    else if (factor == RP_FACTOR_X_PLUS) f = xr[i] + cst;
                    else f = cst;
                    const float v = f * gr[i];
                    yr[i] = first ? v : yr[i] + v;
                }
            }
        }
    }
    });
    return RP_OK;
} catch (...) {
    return rp_internal_error("rp_lrp_combine_cpu");
}

// num, den, x, out: [n]
int rp_lrp_ratio_cpu(const float *num, const float *den, const float *x, float *out, int64_t n,
                     double eps) try {
    int st = rp::check_lrp_ratio("rp_lrp_ratio_cpu", num, den, out, n, eps);
    if (st != RP_OK) return st;
    rp::parallel_for(n, rp::kElementGrain, [&](int64_t begin, int64_t end) { ratio_range(num, den, x, out, begin, end, (float)eps); });
    return RP_OK;
} catch (...) {
    return rp_internal_error("rp_lrp_ratio_cpu");
}

// Planes [p0, p1) of max pooling's winners (see rp_lrp_max_pool2d_winners_cpu). One output row at
// a time, all its windows side by side: each window still visits its elements in row-major order
// (the first maximum wins ties), but the ow windows are independent, so the compare-and-select
// chains overlap instead of running one by one.
RP_VECTOR_CLONES
static void max_pool_winner_planes(const float *x, const float *r, float *out, int64_t p0, int64_t p1, int64_t h, int64_t w,
                                   int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t ph, int64_t pw, int64_t oh, int64_t ow) {
    std::vector<float> best((size_t)ow);
    std::vector<int64_t> win((size_t)ow);
    for (int64_t p = p0; p < p1; p++) {
        const float *xp = x + p * h * w;
        const float *rr = r + p * oh * ow;
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
            for (int64_t j = 0; j < ow; j++) op[win[j]] += rr[i * ow + j];
        }
    }
}

// x, out: [n, c, h, w]; r: [n, c, oh, ow]
int rp_lrp_max_pool2d_winners_cpu(const float *x, const float *r, float *out, int64_t n, int64_t c,
                                  int64_t h, int64_t w, int64_t kh, int64_t kw, int64_t sh,
                                  int64_t sw, int64_t ph, int64_t pw, int64_t oh, int64_t ow) try {
    const char *fn = "rp_lrp_max_pool2d_winners_cpu";
    int st = rp::check_pool2d(fn, x, r, n, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow);
    if (st != RP_OK) return st;
    rp::Args a(fn);
    a.ptr("out", out, n * c * h * w); // the shape is known not to overflow by now
    if (!a.ok()) return a.status();
    rp::parallel_for(n * c, rp::kElementGrain / (h * w + 1) + 1, [&](int64_t p0, int64_t p1) {
        max_pool_winner_planes(x, r, out, p0, p1, h, w, kh, kw, sh, sw, ph, pw, oh, ow);
    });
    return RP_OK;
} catch (...) {
    return rp_internal_error("rp_lrp_max_pool2d_winners_cpu");
}
