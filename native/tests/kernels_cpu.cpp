// Checks every _cpu kernel against a float64 reference written plainly here (independently
// of native/src/cpu), plus argument validation. Prints one line per case and a final
// "N passed, N failed"; exits nonzero on any failure.
#include <float.h>
#include <string.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <algorithm>
#include <cmath>
#include <functional>

#include "test_util.h"

static Tally tally;
static std::mt19937 rng(20240601);

static const double kAtol = 1e-5, kRtol = 1e-5;

static void check(const char *kernel, const std::string &shape, int status, const float *got,
                  const std::vector<double> &ref) {
    std::string detail;
    bool ok;
    if (status != RP_OK) {
        ok = false;
        detail = fmt("returned %s: %s", rp_status_name(status), rp_last_error());
    } else {
        ok = close(got, ref.data(), (int64_t)ref.size(), kAtol, kRtol, &detail);
    }
    tally.record(ok, std::string(kernel) + " " + shape, detail);
}

// ---- elementwise -----------------------------------------------------------------------------

static void test_elementwise() {
    for (int64_t n : kElementwiseN) {
        const std::string shape = fmt("n=%lld", (long long)n);
        std::vector<float> x = uniform(rng, n, -6.0f, 6.0f), b = uniform(rng, n, -3.0f, 3.0f);
        std::vector<float> y(n);
        std::vector<double> ref(n);

        for (int64_t i = 0; i < n; i++) ref[i] = x[i] > 0 ? x[i] : 0.0;
        check("rp_relu_cpu", shape, rp_relu_cpu(x.data(), y.data(), n), y.data(), ref);
        std::vector<float> inplace = x;
        check("rp_relu_cpu", shape + " in-place", rp_relu_cpu(inplace.data(), inplace.data(), n), inplace.data(), ref);

        for (int64_t i = 0; i < n; i++) ref[i] = 0.5 * x[i] * (1.0 + erf(x[i] / sqrt(2.0)));
        check("rp_gelu_cpu", shape, rp_gelu_cpu(x.data(), y.data(), n), y.data(), ref);
        inplace = x;
        check("rp_gelu_cpu", shape + " in-place", rp_gelu_cpu(inplace.data(), inplace.data(), n), inplace.data(), ref);

        for (int64_t i = 0; i < n; i++) ref[i] = (double)x[i] + (double)b[i];
        check("rp_add_cpu", shape, rp_add_cpu(x.data(), b.data(), y.data(), n), y.data(), ref);
        inplace = x;
        check("rp_add_cpu", shape + " y=a", rp_add_cpu(inplace.data(), b.data(), inplace.data(), n), inplace.data(), ref);
    }
}

static void test_channel_affine() {
    for (const AffineShape &s : kAffineShapes) {
        const int64_t total = s.n * s.c * s.hw;
        std::vector<float> x = uniform(rng, total, -3.0f, 3.0f);
        std::vector<float> scale = uniform(rng, s.c, -2.0f, 2.0f), shift = uniform(rng, s.c, -1.0f, 1.0f);
        // every combination of NULL scale / shift and relu on / off
        for (int variant = 0; variant < 8; variant++) {
            const bool use_scale = variant & 1, use_shift = variant & 2, relu = variant & 4;
            std::vector<double> ref(total);
            for (int64_t i = 0; i < s.n; i++)
                for (int64_t ch = 0; ch < s.c; ch++)
                    for (int64_t j = 0; j < s.hw; j++) {
                        const int64_t e = (i * s.c + ch) * s.hw + j;
                        double v = (double)x[e] * (use_scale ? scale[ch] : 1.0) + (use_shift ? shift[ch] : 0.0);
                        ref[e] = relu && v < 0 ? 0.0 : v;
                    }
            const std::string shape = fmt("n=%lld c=%lld hw=%lld scale=%s shift=%s relu=%d", (long long)s.n,
                                          (long long)s.c, (long long)s.hw, use_scale ? "yes" : "NULL",
                                          use_shift ? "yes" : "NULL", (int)relu);
            std::vector<float> y(total);
            check("rp_channel_affine_cpu", shape,
                  rp_channel_affine_cpu(x.data(), y.data(), use_scale ? scale.data() : nullptr,
                                        use_shift ? shift.data() : nullptr, s.n, s.c, s.hw, relu),
                  y.data(), ref);
            if (variant == 7) {
                std::vector<float> inplace = x;
                check("rp_channel_affine_cpu", shape + " in-place",
                      rp_channel_affine_cpu(inplace.data(), inplace.data(), scale.data(), shift.data(),
                                            s.n, s.c, s.hw, relu),
                      inplace.data(), ref);
            }
        }
    }
}

// ---- normalization ---------------------------------------------------------------------------

static std::vector<double> ref_layernorm(const std::vector<float> &x, const float *gamma,
                                         const float *beta, int64_t rows, int64_t cols, double eps) {
    std::vector<double> y(rows * cols);
    for (int64_t r = 0; r < rows; r++) {
        double mean = 0, var = 0;
        for (int64_t j = 0; j < cols; j++) mean += x[r * cols + j];
        mean /= cols;
        for (int64_t j = 0; j < cols; j++) var += (x[r * cols + j] - mean) * (x[r * cols + j] - mean);
        var /= cols;
        for (int64_t j = 0; j < cols; j++)
            y[r * cols + j] = (x[r * cols + j] - mean) / sqrt(var + eps) * (gamma ? gamma[j] : 1.0) +
                              (beta ? beta[j] : 0.0);
    }
    return y;
}

static void test_layernorm() {
    for (const RowShape &s : kLayernormShapes) {
        const int64_t total = s.rows * s.cols;
        std::vector<float> x = uniform(rng, total, -2.0f, 2.0f);
        for (int64_t i = 0; i < total; i++) x[i] += 3.0f * (float)(i / s.cols % 3); // nonzero row means
        std::vector<float> gamma = uniform(rng, s.cols, 0.5f, 1.5f), beta = uniform(rng, s.cols, -0.5f, 0.5f);
        const float eps = 1e-5f;
        const std::string shape = fmt("rows=%lld cols=%lld", (long long)s.rows, (long long)s.cols);
        std::vector<float> y(total);

        std::vector<double> ref = ref_layernorm(x, gamma.data(), beta.data(), s.rows, s.cols, eps);
        check("rp_layernorm_cpu", shape,
              rp_layernorm_cpu(x.data(), y.data(), gamma.data(), beta.data(), s.rows, s.cols, eps), y.data(), ref);
        std::vector<float> inplace = x;
        check("rp_layernorm_cpu", shape + " in-place",
              rp_layernorm_cpu(inplace.data(), inplace.data(), gamma.data(), beta.data(), s.rows, s.cols, eps),
              inplace.data(), ref);

        ref = ref_layernorm(x, nullptr, nullptr, s.rows, s.cols, eps);
        check("rp_layernorm_cpu", shape + " gamma=beta=NULL",
              rp_layernorm_cpu(x.data(), y.data(), nullptr, nullptr, s.rows, s.cols, eps), y.data(), ref);
    }
}

static void test_softmax() {
    for (const RowShape &s : kSoftmaxShapes) {
        const int64_t total = s.rows * s.cols;
        std::vector<float> x = uniform(rng, total, -10.0f, 10.0f);
        x[0] = 100.0f; // exp(100) overflows float: only correct if the max is subtracted
        std::vector<double> ref(total);
        for (int64_t r = 0; r < s.rows; r++) {
            double sum = 0;
            for (int64_t j = 0; j < s.cols; j++) sum += exp((double)x[r * s.cols + j]);
            for (int64_t j = 0; j < s.cols; j++) ref[r * s.cols + j] = exp((double)x[r * s.cols + j]) / sum;
        }
        const std::string shape = fmt("rows=%lld cols=%lld", (long long)s.rows, (long long)s.cols);
        std::vector<float> y(total);
        check("rp_softmax_cpu", shape, rp_softmax_cpu(x.data(), y.data(), s.rows, s.cols), y.data(), ref);
        std::vector<float> inplace = x;
        check("rp_softmax_cpu", shape + " in-place", rp_softmax_cpu(inplace.data(), inplace.data(), s.rows, s.cols),
              inplace.data(), ref);
    }
}

// ---- pooling ---------------------------------------------------------------------------------

static void test_pool2d() {
    for (const PoolShape &s : kPoolShapes) {
        const int64_t oh = pool_out(s.h, s.kh, s.sh, s.ph), ow = pool_out(s.w, s.kw, s.sw, s.pw);
        std::vector<float> x = uniform(rng, s.n * s.c * s.h * s.w, -5.0f, 5.0f);
        // all-negative input: a padded zero would wrongly win a max window
        for (float &v : x) v = -fabsf(v) - 0.1f;
        std::vector<double> ref_max(s.n * s.c * oh * ow), ref_avg(ref_max.size());
        for (int64_t p = 0; p < s.n * s.c; p++)
            for (int64_t i = 0; i < oh; i++)
                for (int64_t j = 0; j < ow; j++) {
                    double m = -INFINITY, sum = 0;
                    for (int64_t a = 0; a < s.kh; a++)
                        for (int64_t b = 0; b < s.kw; b++) {
                            const int64_t hi = i * s.sh - s.ph + a, wi = j * s.sw - s.pw + b;
                            if (hi < 0 || hi >= s.h || wi < 0 || wi >= s.w) continue; // padding
                            const double v = x[(p * s.h + hi) * s.w + wi];
                            m = v > m ? v : m;
                            sum += v;
                        }
                    ref_max[(p * oh + i) * ow + j] = m;
                    ref_avg[(p * oh + i) * ow + j] = sum / (double)(s.kh * s.kw);
                }
        const std::string shape = fmt("n=%lld c=%lld h=%lld w=%lld k=%lldx%lld s=%lldx%lld p=%lldx%lld",
                                      (long long)s.n, (long long)s.c, (long long)s.h, (long long)s.w,
                                      (long long)s.kh, (long long)s.kw, (long long)s.sh, (long long)s.sw,
                                      (long long)s.ph, (long long)s.pw);
        std::vector<float> y(ref_max.size());
        check("rp_max_pool2d_cpu", shape,
              rp_max_pool2d_cpu(x.data(), y.data(), s.n, s.c, s.h, s.w, s.kh, s.kw, s.sh, s.sw, s.ph, s.pw, oh, ow),
              y.data(), ref_max);
        check("rp_avg_pool2d_cpu", shape,
              rp_avg_pool2d_cpu(x.data(), y.data(), s.n, s.c, s.h, s.w, s.kh, s.kw, s.sh, s.sw, s.ph, s.pw, oh, ow),
              y.data(), ref_avg);
    }
}

static void test_adaptive_pool2d() {
    for (const AdaptiveShape &s : kAdaptiveShapes) {
        std::vector<float> x = uniform(rng, s.n * s.c * s.h * s.w, -5.0f, 5.0f);
        std::vector<double> ref(s.n * s.c * s.oh * s.ow);
        for (int64_t p = 0; p < s.n * s.c; p++)
            for (int64_t i = 0; i < s.oh; i++)
                for (int64_t j = 0; j < s.ow; j++) {
                    const int64_t h0 = (int64_t)floor((double)i * s.h / s.oh);
                    const int64_t h1 = (int64_t)ceil((double)(i + 1) * s.h / s.oh);
                    const int64_t w0 = (int64_t)floor((double)j * s.w / s.ow);
                    const int64_t w1 = (int64_t)ceil((double)(j + 1) * s.w / s.ow);
                    double sum = 0;
                    for (int64_t hi = h0; hi < h1; hi++)
                        for (int64_t wi = w0; wi < w1; wi++) sum += x[(p * s.h + hi) * s.w + wi];
                    ref[(p * s.oh + i) * s.ow + j] = sum / (double)((h1 - h0) * (w1 - w0));
                }
        const std::string shape = fmt("n=%lld c=%lld %lldx%lld -> %lldx%lld", (long long)s.n, (long long)s.c,
                                      (long long)s.h, (long long)s.w, (long long)s.oh, (long long)s.ow);
        std::vector<float> y(ref.size());
        check("rp_adaptive_avg_pool2d_cpu", shape,
              rp_adaptive_avg_pool2d_cpu(x.data(), y.data(), s.n, s.c, s.h, s.w, s.oh, s.ow), y.data(), ref);
    }
}

// ---- vision transformer layout ---------------------------------------------------------------

static void test_vit_layout() {
    for (const EmbedShape &s : kEmbedShapes) {
        std::vector<float> patches = uniform(rng, s.b * s.d * s.g, -1.0f, 1.0f);
        std::vector<float> cls = uniform(rng, s.d, -1.0f, 1.0f), pos = uniform(rng, (1 + s.g) * s.d, -1.0f, 1.0f);
        std::vector<double> ref(s.b * (1 + s.g) * s.d);
        for (int64_t bi = 0; bi < s.b; bi++)
            for (int64_t t = 0; t <= s.g; t++)
                for (int64_t k = 0; k < s.d; k++) {
                    const double v = t == 0 ? cls[k] : patches[(bi * s.d + k) * s.g + (t - 1)];
                    ref[(bi * (1 + s.g) + t) * s.d + k] = v + pos[t * s.d + k];
                }
        std::vector<float> tokens(ref.size());
        check("rp_vit_embed_cpu", fmt("b=%lld d=%lld g=%lld", (long long)s.b, (long long)s.d, (long long)s.g),
              rp_vit_embed_cpu(patches.data(), cls.data(), pos.data(), tokens.data(), s.b, s.d, s.g),
              tokens.data(), ref);
    }
    for (const HeadShape &s : kHeadShapes) {
        const std::string shape = fmt("b=%lld n=%lld h=%lld dh=%lld", (long long)s.b, (long long)s.n,
                                      (long long)s.h, (long long)s.dh);
        const int64_t per = s.b * s.n * s.h * s.dh;
        std::vector<float> qkv = uniform(rng, 3 * per, -1.0f, 1.0f);
        std::vector<double> ref(3 * per);
        for (int64_t bi = 0; bi < s.b; bi++)
            for (int64_t ni = 0; ni < s.n; ni++)
                for (int64_t t = 0; t < 3; t++)
                    for (int64_t hi = 0; hi < s.h; hi++)
                        for (int64_t di = 0; di < s.dh; di++)
                            ref[t * per + ((bi * s.h + hi) * s.n + ni) * s.dh + di] =
                                qkv[((bi * s.n + ni) * 3 + t) * s.h * s.dh + hi * s.dh + di];
        std::vector<float> out(3 * per);
        check("rp_split_heads_cpu", shape, rp_split_heads_cpu(qkv.data(), out.data(), s.b, s.n, s.h, s.dh),
              out.data(), ref);

        // merge is split's inverse for one of q, k, v: heads [b, h, n, dh] -> [b, n, h * dh]
        std::vector<float> x = uniform(rng, per, -1.0f, 1.0f);
        std::vector<double> mref(per);
        for (int64_t bi = 0; bi < s.b; bi++)
            for (int64_t hi = 0; hi < s.h; hi++)
                for (int64_t ni = 0; ni < s.n; ni++)
                    for (int64_t di = 0; di < s.dh; di++)
                        mref[(bi * s.n + ni) * s.h * s.dh + hi * s.dh + di] = x[((bi * s.h + hi) * s.n + ni) * s.dh + di];
        std::vector<float> y(per);
        check("rp_merge_heads_cpu", shape, rp_merge_heads_cpu(x.data(), y.data(), s.b, s.h, s.n, s.dh), y.data(), mref);
    }
    for (const SelectShape &s : kSelectShapes) {
        std::vector<float> x = uniform(rng, s.b * s.n * s.d, -1.0f, 1.0f);
        std::vector<double> ref(s.b * s.d);
        for (int64_t bi = 0; bi < s.b; bi++)
            for (int64_t k = 0; k < s.d; k++) ref[bi * s.d + k] = x[(bi * s.n + s.index) * s.d + k];
        std::vector<float> y(ref.size());
        check("rp_select_token_cpu",
              fmt("b=%lld n=%lld d=%lld index=%lld", (long long)s.b, (long long)s.n, (long long)s.d, (long long)s.index),
              rp_select_token_cpu(x.data(), y.data(), s.b, s.n, s.d, s.index), y.data(), ref);
    }
}

// ---- argument validation and status API ------------------------------------------------------

// The call must fail with RP_ERR_INVALID_ARGUMENT and a message naming the kernel and `arg`.
static void expect_invalid(const char *kernel, const char *arg, const char *why, int status) {
    const char *msg = rp_last_error();
    const bool ok = status == RP_ERR_INVALID_ARGUMENT && msg && msg[0] && strstr(msg, kernel) &&
                    strstr(msg, arg);
    tally.record(ok, fmt("%s rejects %s", kernel, why),
                 fmt("%s: \"%s\"", rp_status_name(status), msg ? msg : "(null)"));
}


// ---- LRP stages ------------------------------------------------------------------------------

static void test_lrp_signals() {
    int set_index = 0;
    for (const auto &set : kSignalSets) {
        for (const LrpShape &sh : kLrpShapes) {
            for (int with_bias = 0; with_bias < 2; with_bias++) {
                const int64_t k = (int64_t)set.size(), n = sh.outer * sh.c * sh.inner;
                std::vector<double> specs;
                for (const auto &sp : set) specs.insert(specs.end(), sp.begin(), sp.end());
                std::vector<float> r = uniform(rng, n, -2.0f, 2.0f), z = uniform(rng, n, -3.0f, 3.0f);
                std::vector<float> u = uniform(rng, n, 0.0f, 4.0f), off = uniform(rng, n, -1.0f, 1.0f);
                std::vector<float> bias = uniform(rng, sh.c, -1.0f, 1.0f);
                if (n > 1) z[1] = 0.0f; // sgn(0) = +1 and the masks' strict inequalities
                std::vector<double> ref((size_t)(n * k));
                for (int64_t o = 0; o < sh.outer; o++)
                    for (int64_t t = 0; t < k; t++)
                        for (int64_t ch = 0; ch < sh.c; ch++)
                            for (int64_t i = 0; i < sh.inner; i++) {
                                const std::vector<double> &sp = set[t];
                                const int64_t at = (o * sh.c + ch) * sh.inner + i;
                                const double b = with_bias ? bias[ch] : 0.0;
                                const double den = sp[2] * z[at] + sp[3] * u[at] + sp[4] * b + sp[5] * fmax(b, 0.0) +
                                                   sp[6] * fmin(b, 0.0) + sp[7] * off[at];
                                const bool on = sp[1] == 0 || (sp[1] > 0 ? z[at] > 0 : z[at] < 0);
                                ref[((o * k + t) * sh.c + ch) * sh.inner + i] = on ? sp[0] * r[at] / ref_stab(den, sp[8]) : 0.0;
                            }
                const int64_t groups = sh.outer / sh.group;
                std::vector<double> ref_sum((size_t)(groups * sh.c), 0.0), ref_abs((size_t)(groups * sh.c), 0.0);
                for (int64_t o = 0; o < sh.outer; o++)
                    for (int64_t ch = 0; ch < sh.c; ch++)
                        for (int64_t i = 0; i < sh.inner; i++) {
                            const double v = r[(o * sh.c + ch) * sh.inner + i];
                            ref_sum[(o / sh.group) * sh.c + ch] += v;
                            ref_abs[(o / sh.group) * sh.c + ch] += fabs(v);
                        }
                std::vector<float> s((size_t)(n * k)), sums(ref_sum.size()), abs_sums(ref_sum.size());
                const std::string shape = fmt("rule %d outer=%lld c=%lld inner=%lld group=%lld%s", set_index, (long long)sh.outer,
                                              (long long)sh.c, (long long)sh.inner, (long long)sh.group, with_bias ? " bias" : "");
                const int st = rp_lrp_signals_cpu(r.data(), z.data(), u.data(), with_bias ? bias.data() : nullptr, off.data(), specs.data(),
                                                  k, sh.outer, sh.c, sh.inner, s.data(), sh.group, sums.data(), abs_sums.data());
                // s is a quotient: compare relative to the magnitude of the signal
                check("rp_lrp_signals_cpu", shape, st, s.data(), ref);
                if (st == RP_OK) {
                    check("rp_lrp_signals_cpu sums", shape, st, sums.data(), ref_sum);
                    check("rp_lrp_signals_cpu abs_sums", shape, st, abs_sums.data(), ref_abs);
                }
            }
        }
        set_index++;
    }
    // read-outs are optional, and then group is not looked at
    std::vector<float> r = uniform(rng, 6, -1.0f, 1.0f), z = uniform(rng, 6, 0.5f, 1.0f), s(6);
    const double eps_spec[] = {1, 0, 1, 0, 0, 0, 0, 0, 0.0};
    std::vector<double> ref(6);
    for (int i = 0; i < 6; i++) ref[i] = (double)r[i] / z[i];
    check("rp_lrp_signals_cpu", "no read-outs, group 0", rp_lrp_signals_cpu(r.data(), z.data(), nullptr, nullptr, nullptr, eps_spec, 1, 2, 3, 1, s.data(), 0, nullptr, nullptr), s.data(), ref);
}

static void test_lrp_combine() {
    const std::vector<std::vector<double>> term_sets = {
        {0, 1}, {1, 1, 2, 1}, {0, 1, 3, 3.0, 3, -3.0}, {3, 1}, {2, 1, 1, 1, 0, 1}, {4, 3.0, 4, -3.0},
    };
    for (const auto &terms : term_sets) {
        const int64_t k = (int64_t)terms.size() / 2;
        for (const LrpShape &sh : kLrpShapes) {
            const int64_t n = sh.outer * sh.c * sh.inner;
            std::vector<float> g = uniform(rng, n * k, -2.0f, 2.0f), x = uniform(rng, n, -3.0f, 3.0f), out(n);
            std::vector<double> ref((size_t)n, 0.0);
            for (int64_t o = 0; o < sh.outer; o++)
                for (int64_t ch = 0; ch < sh.c; ch++)
                    for (int64_t i = 0; i < sh.inner; i++) {
                        const int64_t at = (o * sh.c + ch) * sh.inner + i;
                        for (int64_t t = 0; t < k; t++) {
                            const int f = (int)terms[2 * t];
                            const double xv = x[at];
                            const double fac = f == 0 ? xv : f == 1 ? fmax(xv, 0.0) : f == 2 ? fmin(xv, 0.0) : f == 4 ? xv + terms[2 * t + 1]
                                                                                                         : terms[2 * t + 1];
                            ref[at] += fac * g[((o * k + t) * sh.c + ch) * sh.inner + i];
                        }
                    }
            const std::string shape = fmt("k=%lld outer=%lld c=%lld inner=%lld", (long long)k, (long long)sh.outer, (long long)sh.c, (long long)sh.inner);
            check("rp_lrp_combine_cpu", shape, rp_lrp_combine_cpu(g.data(), x.data(), terms.data(), k, sh.outer, sh.c, sh.inner, out.data()), out.data(), ref);
        }
    }
}

static void test_lrp_ratio() {
    for (int64_t n : kElementwiseN) {
        std::vector<float> num = uniform(rng, n, -2.0f, 2.0f), den = uniform(rng, n, -3.0f, 3.0f), x = uniform(rng, n, -1.0f, 1.0f), out(n);
        den[0] = 0.0f;
        std::vector<double> ref(n), ref_x(n);
        for (int64_t i = 0; i < n; i++) {
            ref[i] = num[i] / ref_stab(den[i], 0.25);
            ref_x[i] = x[i] * ref[i];
        }
        const std::string shape = fmt("n=%lld eps=0.25", (long long)n);
        check("rp_lrp_ratio_cpu", shape, rp_lrp_ratio_cpu(num.data(), den.data(), nullptr, out.data(), n, 0.25), out.data(), ref);
        check("rp_lrp_ratio_cpu", shape + " times x", rp_lrp_ratio_cpu(num.data(), den.data(), x.data(), out.data(), n, 0.25), out.data(), ref_x);
    }
}

static void test_lrp_max_pool_winners() {
    for (const PoolShape &s : kPoolShapes) {
        const int64_t oh = pool_out(s.h, s.kh, s.sh, s.ph), ow = pool_out(s.w, s.kw, s.sw, s.pw);
        const int64_t nx = s.n * s.c * s.h * s.w, ny = s.n * s.c * oh * ow;
        // values on a coarse grid: ties inside windows are common, and the first maximum must win
        std::vector<float> x(nx), r = uniform(rng, ny, -1.0f, 1.0f), out(nx);
        std::uniform_int_distribution<int> grid(-4, 1);
        for (float &v : x) v = (float)grid(rng) - 0.5f; // all negative: padding (zero) must never win
        std::vector<double> ref(nx, 0.0);
        for (int64_t p = 0; p < s.n * s.c; p++)
            for (int64_t i = 0; i < oh; i++)
                for (int64_t j = 0; j < ow; j++) {
                    double m = -INFINITY;
                    int64_t at = -1;
                    for (int64_t a = 0; a < s.kh; a++)
                        for (int64_t b = 0; b < s.kw; b++) {
                            const int64_t hi = i * s.sh - s.ph + a, wi = j * s.sw - s.pw + b;
                            if (hi < 0 || hi >= s.h || wi < 0 || wi >= s.w) continue;
                            const double v = x[(p * s.h + hi) * s.w + wi];
                            if (v > m) { m = v; at = (p * s.h + hi) * s.w + wi; }
                        }
                    ref[at] += r[(p * oh + i) * ow + j];
                }
        const std::string shape = fmt("n=%lld c=%lld h=%lld w=%lld k=%lldx%lld s=%lldx%lld p=%lldx%lld", (long long)s.n, (long long)s.c,
                                      (long long)s.h, (long long)s.w, (long long)s.kh, (long long)s.kw, (long long)s.sh, (long long)s.sw,
                                      (long long)s.ph, (long long)s.pw);
        for (float &v : out) v = NAN; // every element must be written
        check("rp_lrp_max_pool2d_winners_cpu", shape,
              rp_lrp_max_pool2d_winners_cpu(x.data(), r.data(), out.data(), s.n, s.c, s.h, s.w, s.kh, s.kw, s.sh, s.sw, s.ph, s.pw, oh, ow),
              out.data(), ref);
    }
}

// A window of -inf only (a masked or saturated input): its first element takes the relevance,
// as torch's max_pool2d indices point at it; nothing is written outside the plane.
static void test_lrp_max_pool_winners_all_minus_inf() {
    const int64_t h = 4, w = 4, oh = 2, ow = 2;
    std::vector<float> x(h * w, -INFINITY), r = {1.0f, 2.0f, 3.0f, 4.0f}, out(h * w, NAN);
    x[15] = 0.5f; // the last window has a real maximum
    std::vector<double> ref(h * w, 0.0);
    ref[0] = 1.0; ref[2] = 2.0; ref[8] = 3.0; ref[15] = 4.0;
    check("rp_lrp_max_pool2d_winners_cpu", "windows of -inf", rp_lrp_max_pool2d_winners_cpu(x.data(), r.data(), out.data(), 1, 1, h, w, 2, 2, 2, 2, 0, 0, oh, ow),
          out.data(), ref);
}

// The adjoints against the scatter form of the forward (each window spreads g over its
// elements), in float64.
static void test_pool_adjoints() {
    for (const PoolShape &p : kPoolShapes) {
        const int64_t oh = pool_out(p.h, p.kh, p.sh, p.ph), ow = pool_out(p.w, p.kw, p.sw, p.pw);
        std::vector<float> g = uniform(rng, p.n * p.c * oh * ow, -2.0f, 2.0f), out(p.n * p.c * p.h * p.w, NAN);
        std::vector<double> ref(out.size(), 0.0);
        for (int64_t q = 0; q < p.n * p.c; q++)
            for (int64_t i = 0; i < oh; i++)
                for (int64_t j = 0; j < ow; j++)
                    for (int64_t a = 0; a < p.kh; a++)
                        for (int64_t b = 0; b < p.kw; b++) {
                            const int64_t hi = i * p.sh - p.ph + a, wi = j * p.sw - p.pw + b;
                            if (hi < 0 || hi >= p.h || wi < 0 || wi >= p.w) continue;
                            ref[(q * p.h + hi) * p.w + wi] += (double)g[(q * oh + i) * ow + j] / (double)(p.kh * p.kw);
                        }
        const std::string shape = fmt("n=%lld c=%lld h=%lld w=%lld k=%lldx%lld s=%lldx%lld p=%lldx%lld", (long long)p.n, (long long)p.c,
                                      (long long)p.h, (long long)p.w, (long long)p.kh, (long long)p.kw, (long long)p.sh, (long long)p.sw,
                                      (long long)p.ph, (long long)p.pw);
        check("rp_avg_pool2d_adjoint_cpu", shape,
              rp_avg_pool2d_adjoint_cpu(g.data(), out.data(), p.n, p.c, p.h, p.w, p.kh, p.kw, p.sh, p.sw, p.ph, p.pw, oh, ow), out.data(), ref);
    }
    for (const AdaptiveShape &a : kAdaptiveShapes) {
        std::vector<float> g = uniform(rng, a.n * a.c * a.oh * a.ow, -2.0f, 2.0f), out(a.n * a.c * a.h * a.w, NAN);
        std::vector<double> ref(out.size(), 0.0);
        for (int64_t q = 0; q < a.n * a.c; q++)
            for (int64_t i = 0; i < a.oh; i++)
                for (int64_t j = 0; j < a.ow; j++) {
                    const int64_t h0 = i * a.h / a.oh, h1 = ((i + 1) * a.h + a.oh - 1) / a.oh;
                    const int64_t w0 = j * a.w / a.ow, w1 = ((j + 1) * a.w + a.ow - 1) / a.ow;
                    for (int64_t hi = h0; hi < h1; hi++)
                        for (int64_t wi = w0; wi < w1; wi++)
                            ref[(q * a.h + hi) * a.w + wi] += (double)g[(q * a.oh + i) * a.ow + j] / (double)((h1 - h0) * (w1 - w0));
                }
        const std::string shape = fmt("n=%lld c=%lld %lldx%lld -> %lldx%lld", (long long)a.n, (long long)a.c, (long long)a.h, (long long)a.w,
                                      (long long)a.oh, (long long)a.ow);
        check("rp_adaptive_avg_pool2d_adjoint_cpu", shape,
              rp_adaptive_avg_pool2d_adjoint_cpu(g.data(), out.data(), a.n, a.c, a.h, a.w, a.oh, a.ow), out.data(), ref);
    }
}

static void test_lrp_tensor_steps() {
    for (const LrpShape &sh : kLrpShapes) {
        const int64_t n = sh.outer * sh.c * sh.inner;
        std::vector<float> x = uniform(rng, n, -2.0f, 2.0f), out(2 * n, NAN);
        std::vector<double> ref(2 * n);
        for (int64_t o = 0; o < sh.outer; o++)
            for (int64_t ch = 0; ch < sh.c; ch++)
                for (int64_t i = 0; i < sh.inner; i++) {
                    const double v = x[(o * sh.c + ch) * sh.inner + i];
                    ref[(o * 2 * sh.c + ch) * sh.inner + i] = v > 0 ? v : 0;
                    ref[(o * 2 * sh.c + sh.c + ch) * sh.inner + i] = v < 0 ? v : 0;
                }
        const std::string shape = fmt("outer=%lld c=%lld inner=%lld group=%lld", (long long)sh.outer, (long long)sh.c, (long long)sh.inner,
                                      (long long)sh.group);
        check("rp_split_signs_cpu", shape, rp_split_signs_cpu(x.data(), out.data(), sh.outer, sh.c, sh.inner), out.data(), ref);
        const int64_t groups = sh.outer / sh.group;
        std::vector<double> ref_sum(groups * sh.c, 0.0), ref_abs(groups * sh.c, 0.0);
        for (int64_t o = 0; o < sh.outer; o++)
            for (int64_t ch = 0; ch < sh.c; ch++)
                for (int64_t i = 0; i < sh.inner; i++) {
                    ref_sum[(o / sh.group) * sh.c + ch] += x[(o * sh.c + ch) * sh.inner + i];
                    ref_abs[(o / sh.group) * sh.c + ch] += fabs(x[(o * sh.c + ch) * sh.inner + i]);
                }
        std::vector<float> sums(groups * sh.c, NAN), abs_sums(groups * sh.c, NAN);
        const int st = rp_feature_sums_cpu(x.data(), sh.outer, sh.c, sh.inner, sh.group, sums.data(), abs_sums.data());
        check("rp_feature_sums_cpu sums", shape, st, sums.data(), ref_sum);
        check("rp_feature_sums_cpu abs_sums", shape, st, abs_sums.data(), ref_abs);
    }
    std::vector<float> x = uniform(rng, 100, 0.0f, 1.0f);
    int any = -1;
    int st = rp_any_negative_cpu(x.data(), 100, &any);
    tally.record(st == RP_OK && any == 0, "rp_any_negative_cpu on non-negative values", fmt("%d", any));
    x[57] = -0.0f; // -0 >= 0
    st = rp_any_negative_cpu(x.data(), 100, &any);
    tally.record(st == RP_OK && any == 0, "rp_any_negative_cpu: -0 is not negative", fmt("%d", any));
    x[99] = -1e-30f;
    st = rp_any_negative_cpu(x.data(), 100, &any);
    tally.record(st == RP_OK && any == 1, "rp_any_negative_cpu finds the last element", fmt("%d", any));
    x[99] = NAN;
    st = rp_any_negative_cpu(x.data(), 100, &any);
    tally.record(st == RP_OK && any == 1, "rp_any_negative_cpu counts NaN as negative", fmt("%d", any));
    st = rp_any_negative_cpu(nullptr, 0, &any);
    tally.record(st == RP_OK && any == 0, "rp_any_negative_cpu on an empty tensor", fmt("%d", any));
    expect_invalid("rp_feature_sums_cpu", "group", "a group that does not divide outer",
                   rp_feature_sums_cpu(x.data(), 5, 2, 1, 2, x.data(), nullptr));
    expect_invalid("rp_any_negative_cpu", "result", "a NULL result", rp_any_negative_cpu(x.data(), 3, nullptr));
}

static void test_lrp_vit_steps() {
    for (const RowShape &sh : kLayernormShapes) {
        const int64_t n = sh.rows * sh.cols;
        std::vector<float> x = uniform(rng, n, -3.0f, 5.0f), gamma = uniform(rng, sh.cols, 0.5f, 1.5f), g = uniform(rng, n, -1.0f, 1.0f);
        std::vector<float> scale(n, NAN), out(n, NAN);
        std::vector<double> ref_scale(n), ref_out(n);
        for (int64_t r = 0; r < sh.rows; r++) {
            double mean = 0, var = 0, vm = 0;
            for (int64_t j = 0; j < sh.cols; j++) mean += x[r * sh.cols + j];
            mean /= sh.cols;
            for (int64_t j = 0; j < sh.cols; j++) var += (x[r * sh.cols + j] - mean) * (x[r * sh.cols + j] - mean);
            var /= sh.cols;
            for (int64_t j = 0; j < sh.cols; j++) {
                ref_scale[r * sh.cols + j] = gamma[j] / sqrt(var + 1e-6);
                vm += g[r * sh.cols + j] * ref_scale[r * sh.cols + j];
            }
            vm /= sh.cols;
            for (int64_t j = 0; j < sh.cols; j++) ref_out[r * sh.cols + j] = g[r * sh.cols + j] * ref_scale[r * sh.cols + j] - vm;
        }
        const std::string shape = fmt("rows=%lld cols=%lld", (long long)sh.rows, (long long)sh.cols);
        check("rp_layernorm_scale_cpu", shape, rp_layernorm_scale_cpu(x.data(), gamma.data(), scale.data(), sh.rows, sh.cols, 1e-6f), scale.data(), ref_scale);
        check("rp_layernorm_adjoint_cpu", shape, rp_layernorm_adjoint_cpu(g.data(), scale.data(), out.data(), sh.rows, sh.cols), out.data(), ref_out);
    }
    for (const RowShape &sh : kSoftmaxShapes) {
        const int64_t n = sh.rows * sh.cols;
        std::vector<float> a = uniform(rng, n, 0.0f, 1.0f), ga = uniform(rng, n, -2.0f, 2.0f), out(n, NAN);
        std::vector<double> ref(n);
        for (int64_t r = 0; r < sh.rows; r++) {
            double s = 0;
            for (int64_t j = 0; j < sh.cols; j++) s += (double)a[r * sh.cols + j] * ga[r * sh.cols + j];
            for (int64_t j = 0; j < sh.cols; j++) ref[r * sh.cols + j] = a[r * sh.cols + j] * (ga[r * sh.cols + j] - s);
        }
        check("rp_softmax_adjoint_cpu", fmt("rows=%lld cols=%lld", (long long)sh.rows, (long long)sh.cols),
              rp_softmax_adjoint_cpu(a.data(), ga.data(), out.data(), sh.rows, sh.cols), out.data(), ref);
    }
    // the layouts invert the forward ones: forward then inverse gives the input back exactly
    for (const HeadShape &sh : kHeadShapes) {
        const int64_t n1 = sh.b * sh.n * sh.h * sh.dh;
        std::vector<float> x = uniform(rng, n1, -1.0f, 1.0f), merged(n1), back(n1, NAN);
        rp_merge_heads_cpu(x.data(), merged.data(), sh.b, sh.h, sh.n, sh.dh);
        std::vector<double> want(x.begin(), x.end());
        const std::string shape = fmt("b=%lld n=%lld h=%lld dh=%lld", (long long)sh.b, (long long)sh.n, (long long)sh.h, (long long)sh.dh);
        check("rp_unmerge_heads_cpu (after merge_heads)", shape, rp_unmerge_heads_cpu(merged.data(), back.data(), sh.b, sh.h, sh.n, sh.dh), back.data(), want);
        std::vector<float> qkv = uniform(rng, 3 * n1, -1.0f, 1.0f), parts(3 * n1), packed(3 * n1, NAN);
        rp_split_heads_cpu(qkv.data(), parts.data(), sh.b, sh.n, sh.h, sh.dh);
        std::vector<double> want_qkv(qkv.begin(), qkv.end());
        check("rp_merge_qkv_cpu (after split_heads)", shape, rp_merge_qkv_cpu(parts.data(), packed.data(), sh.b, sh.n, sh.h, sh.dh), packed.data(), want_qkv);
    }
    for (const EmbedShape &sh : kEmbedShapes) {
        std::vector<float> patches = uniform(rng, sh.b * sh.d * sh.g, -1.0f, 1.0f), cls(sh.d, 0.0f), pos((1 + sh.g) * sh.d, 0.0f);
        std::vector<float> tokens(sh.b * (1 + sh.g) * sh.d), grid(sh.b * sh.d * sh.g, NAN);
        rp_vit_embed_cpu(patches.data(), cls.data(), pos.data(), tokens.data(), sh.b, sh.d, sh.g);
        std::vector<double> want(patches.begin(), patches.end());
        check("rp_tokens_to_grid_cpu (after vit_embed)", fmt("b=%lld d=%lld g=%lld", (long long)sh.b, (long long)sh.d, (long long)sh.g),
              rp_tokens_to_grid_cpu(tokens.data(), grid.data(), sh.b, sh.d, sh.g), grid.data(), want);
    }
    std::vector<float> p(8, 1.0f);
    expect_invalid("rp_layernorm_adjoint_cpu", "scale", "a NULL scale", rp_layernorm_adjoint_cpu(p.data(), nullptr, p.data(), 2, 4));
    expect_invalid("rp_softmax_adjoint_cpu", "ga", "a NULL ga", rp_softmax_adjoint_cpu(p.data(), nullptr, p.data(), 2, 4));
}

static void test_channel_mask() {
    struct MaskShape { int64_t groups, batch, c, inner; };
    const MaskShape shapes[] = {{1, 1, 1, 1}, {3, 2, 5, 7}, {20, 4, 6, 1}, {2, 3, 33, 129}};
    for (const MaskShape &s : shapes) {
        const int64_t n = s.groups * s.batch * s.c * s.inner;
        std::vector<float> x = uniform(rng, n, -3.0f, 3.0f), y(n);
        std::vector<float> mask(s.groups * s.c);
        std::bernoulli_distribution keep(0.6);
        for (float &m : mask) m = keep(rng) ? 1.0f : 0.0f;
        mask[0] = 0.5f; // any factor, not just 0/1
        std::vector<double> ref(n);
        for (int64_t g = 0; g < s.groups; g++)
            for (int64_t i = 0; i < s.batch; i++)
                for (int64_t ch = 0; ch < s.c; ch++)
                    for (int64_t e = 0; e < s.inner; e++) {
                        const int64_t at = ((g * s.batch + i) * s.c + ch) * s.inner + e;
                        ref[at] = (double)mask[g * s.c + ch] * x[at];
                    }
        const std::string shape = fmt("groups=%lld batch=%lld c=%lld inner=%lld", (long long)s.groups, (long long)s.batch, (long long)s.c, (long long)s.inner);
        check("rp_channel_mask_cpu", shape, rp_channel_mask_cpu(x.data(), y.data(), mask.data(), s.groups, s.batch, s.c, s.inner), y.data(), ref);
        check("rp_channel_mask_cpu", shape + " in-place", rp_channel_mask_cpu(x.data(), x.data(), mask.data(), s.groups, s.batch, s.c, s.inner), x.data(), ref);
    }
}

static void test_gather_features() {
    struct GatherShape { int64_t outer, c_in, c_out, inner; };
    const GatherShape shapes[] = {{1, 1, 1, 1}, {3, 7, 4, 1}, {2, 5, 9, 7}, {4, 33, 33, 3}, {5, 6, 0, 2}, {2, 0, 3, 4}};
    for (const GatherShape &g : shapes) {
        std::vector<float> x = uniform(rng, g.outer * g.c_in * g.inner, -2.0f, 2.0f), y((size_t)(g.outer * g.c_out * g.inner), NAN);
        std::vector<int64_t> index((size_t)g.c_out);
        std::uniform_int_distribution<int64_t> pick(-1, g.c_in - 1);
        for (int64_t &v : index) v = pick(rng);
        std::vector<double> ref(y.size());
        for (int64_t o = 0; o < g.outer; o++)
            for (int64_t j = 0; j < g.c_out; j++)
                for (int64_t i = 0; i < g.inner; i++)
                    ref[(o * g.c_out + j) * g.inner + i] = index[j] < 0 ? 0.0 : x[(o * g.c_in + index[j]) * g.inner + i];
        check("rp_gather_features_cpu", fmt("outer=%lld c_in=%lld c_out=%lld inner=%lld", (long long)g.outer, (long long)g.c_in,
                                            (long long)g.c_out, (long long)g.inner),
              rp_gather_features_cpu(x.data(), y.data(), index.data(), g.outer, g.c_in, g.c_out, g.inner), y.data(), ref);
    }
    float buf[8] = {0};
    const int64_t out_of_range[] = {0, 3}, below[] = {-2};
    expect_invalid("rp_gather_features_cpu", "index[1]", "an index >= c_in", rp_gather_features_cpu(buf, buf, out_of_range, 1, 3, 2, 1));
    expect_invalid("rp_gather_features_cpu", "index[0]", "an index < -1", rp_gather_features_cpu(buf, buf, below, 1, 3, 1, 1));
    expect_invalid("rp_gather_features_cpu", "index", "a NULL index", rp_gather_features_cpu(buf, buf, nullptr, 1, 3, 2, 1));
}

// The kernels split their loops over threads: on inputs large enough to be split, every result
// (read-out sums included) is bit-identical to the one-thread result, for several counts.
static void test_threads_bitwise() {
    struct Run { std::string what; std::function<std::vector<float>()> run; };
    const int64_t n = 3 * 100003, outer = 64 * 7 * 7, c = 96, inner_cf = 7 * 7, nb = 64;
    std::vector<float> x = uniform(rng, n, -3.0f, 3.0f), b = uniform(rng, n, -3.0f, 3.0f), u = uniform(rng, outer * c, 0.0f, 3.0f);
    std::vector<float> r = uniform(rng, outer * c, -2.0f, 2.0f), z = uniform(rng, outer * c, -2.0f, 2.0f), bias = uniform(rng, c, -1.0f, 1.0f);
    std::vector<float> mask = uniform(rng, 4 * c, 0.0f, 1.0f), big = uniform(rng, nb * c * 14 * 14, -1.0f, 1.0f);
    const std::vector<double> specs = {1, 1, 1, 0.25, 0, 0.25, 0, 0, 1e-6, 1, -1, 1.25, -0.25, -0.25, 0, 0.25, 0, 1e-6};
    const std::vector<double> terms = {1, 1, 2, 1};
    std::vector<int64_t> index((size_t)(c + 5));
    for (int64_t j = 0; j < (int64_t)index.size(); j++) index[j] = j % 7 == 3 ? -1 : (j * 37) % c;
    const std::vector<Run> runs = {
        {"rp_relu_cpu", [&] { std::vector<float> y(n); rp_relu_cpu(x.data(), y.data(), n); return y; }},
        {"rp_add_cpu", [&] { std::vector<float> y(n); rp_add_cpu(x.data(), b.data(), y.data(), n); return y; }},
        {"rp_channel_affine_cpu", [&] { std::vector<float> y(outer * c); rp_channel_affine_cpu(r.data(), y.data(), bias.data(), bias.data(), nb, c, inner_cf, 1); return y; }},
        {"rp_channel_mask_cpu", [&] { std::vector<float> y(outer * c); rp_channel_mask_cpu(r.data(), y.data(), mask.data(), 4, nb / 4 * 49, c, 1); return y; }},
        {"rp_lrp_signals_cpu channels-first", [&] {
             std::vector<float> s(2 * outer * c), sums(4 * c, 0.0f);
             rp_lrp_signals_cpu(r.data(), z.data(), u.data(), bias.data(), nullptr, specs.data(), 2, nb, c, inner_cf, s.data(), 32, sums.data(), sums.data() + 2 * c);
             s.insert(s.end(), sums.begin(), sums.end()); return s; }},
        {"rp_lrp_signals_cpu features innermost", [&] {
             std::vector<float> s(2 * outer * c), sums(2 * nb * c, 0.0f);
             rp_lrp_signals_cpu(r.data(), z.data(), u.data(), bias.data(), nullptr, specs.data(), 2, outer, c, 1, s.data(), 49, sums.data(), sums.data() + nb * c);
             s.insert(s.end(), sums.begin(), sums.end()); return s; }},
        {"rp_lrp_combine_cpu channels-first", [&] { std::vector<float> y(outer * c / 2); rp_lrp_combine_cpu(r.data(), z.data(), terms.data(), 2, nb, c / 2, inner_cf, y.data()); return y; }},
        {"rp_lrp_combine_cpu features innermost", [&] { std::vector<float> y(outer * c / 2); rp_lrp_combine_cpu(r.data(), z.data(), terms.data(), 2, outer, c / 2, 1, y.data()); return y; }},
        {"rp_lrp_ratio_cpu", [&] { std::vector<float> y(outer * c); rp_lrp_ratio_cpu(r.data(), z.data(), u.data(), y.data(), outer * c, 1e-6); return y; }},
        {"rp_split_signs_cpu", [&] { std::vector<float> y(2 * outer * c); rp_split_signs_cpu(r.data(), y.data(), nb, c, inner_cf); return y; }},
        {"rp_any_negative_cpu", [&] { int any = -1; rp_any_negative_cpu(u.data(), outer * c, &any); return std::vector<float>{(float)any}; }},
        {"rp_f32_to_bf16_cpu", [&] { std::vector<uint16_t> h(n); rp_f32_to_bf16_cpu(x.data(), h.data(), n); return std::vector<float>(h.begin(), h.end()); }},
        {"rp_lrp_max_pool2d_winners_cpu", [&] { std::vector<float> y(nb * c * 14 * 14);
             rp_lrp_max_pool2d_winners_cpu(big.data(), r.data(), y.data(), nb, c, 14, 14, 3, 3, 2, 2, 1, 1, 7, 7); return y; }},
        {"rp_avg_pool2d_adjoint_cpu", [&] { std::vector<float> y(nb * c * 14 * 14); rp_avg_pool2d_adjoint_cpu(r.data(), y.data(), nb, c, 14, 14, 3, 3, 2, 2, 1, 1, 7, 7); return y; }},
        {"rp_layernorm_cpu", [&] { std::vector<float> y(outer * c); rp_layernorm_cpu(r.data(), y.data(), bias.data(), bias.data(), outer, c, 1e-6f); return y; }},
        {"rp_softmax_cpu", [&] { std::vector<float> y(outer * c); rp_softmax_cpu(r.data(), y.data(), outer, c); return y; }},
        {"rp_layernorm_scale_cpu", [&] { std::vector<float> y(outer * c); rp_layernorm_scale_cpu(r.data(), bias.data(), y.data(), outer, c, 1e-6f); return y; }},
        {"rp_layernorm_adjoint_cpu", [&] { std::vector<float> y(outer * c); rp_layernorm_adjoint_cpu(r.data(), z.data(), y.data(), outer, c); return y; }},
        {"rp_softmax_adjoint_cpu", [&] { std::vector<float> y(outer * c); rp_softmax_adjoint_cpu(r.data(), z.data(), y.data(), outer, c); return y; }},
        {"rp_gather_features_cpu", [&] { std::vector<float> y(outer * (c + 5)); rp_gather_features_cpu(r.data(), y.data(), index.data(), outer, c, c + 5, 1); return y; }},
    };
    for (const Run &run : runs) {
        rp_set_num_threads(1);
        const std::vector<float> one = run.run();
        for (int threads : {2, 3, 8}) {
            rp_set_num_threads(threads);
            const std::vector<float> many = run.run();
            const bool same = one.size() == many.size() && memcmp(one.data(), many.data(), one.size() * sizeof(float)) == 0;
            tally.record(same, run.what + fmt(" on %d threads", threads), same ? "bit-identical to 1 thread" : "differs from 1 thread");
        }
    }
    tally.record(rp_get_num_threads() == 8, "rp_get_num_threads", fmt("%d", rp_get_num_threads()));
    expect_invalid("rp_set_num_threads", "threads", "0 threads", rp_set_num_threads(0));
    rp_set_num_threads(1);
}

static void test_invalid_arguments() {
    float buf[64] = {0};
    float *p = buf;
    const int64_t big = int64_t(1) << 40;
    expect_invalid("rp_relu_cpu", "x", "NULL x", rp_relu_cpu(nullptr, p, 3));
    expect_invalid("rp_relu_cpu", "n", "negative n", rp_relu_cpu(p, p, -1));
    expect_invalid("rp_gelu_cpu", "y", "NULL y", rp_gelu_cpu(p, nullptr, 3));
    expect_invalid("rp_add_cpu", "b", "NULL b", rp_add_cpu(p, nullptr, p, 3));
    expect_invalid("rp_channel_affine_cpu", "c", "negative c", rp_channel_affine_cpu(p, p, p, p, 1, -2, 1, 0));
    expect_invalid("rp_channel_affine_cpu", "x", "overflowing shape", rp_channel_affine_cpu(p, p, p, p, big, big, 1, 0));
    expect_invalid("rp_layernorm_cpu", "eps", "negative eps", rp_layernorm_cpu(p, p, p, p, 2, 3, -1e-5f));
    expect_invalid("rp_layernorm_cpu", "eps", "NaN eps", rp_layernorm_cpu(p, p, p, p, 2, 3, NAN));
    expect_invalid("rp_layernorm_cpu", "cols", "negative cols", rp_layernorm_cpu(p, p, p, p, 2, -3, 1e-5f));
    expect_invalid("rp_softmax_cpu", "rows", "negative rows", rp_softmax_cpu(p, p, -1, 3));
    expect_invalid("rp_softmax_cpu", "x", "NULL x", rp_softmax_cpu(nullptr, p, 2, 3));
    // x [1,1,5,5], k3 s2 p1: oh = ow = 3
    expect_invalid("rp_max_pool2d_cpu", "oh", "wrong oh", rp_max_pool2d_cpu(p, p, 1, 1, 5, 5, 3, 3, 2, 2, 1, 1, 2, 3));
    expect_invalid("rp_max_pool2d_cpu", "sh", "zero stride", rp_max_pool2d_cpu(p, p, 1, 1, 5, 5, 3, 3, 0, 2, 1, 1, 3, 3));
    expect_invalid("rp_max_pool2d_cpu", "kw", "zero kernel", rp_max_pool2d_cpu(p, p, 1, 1, 5, 5, 3, 0, 2, 2, 1, 1, 3, 3));
    expect_invalid("rp_max_pool2d_cpu", "ph", "pad > kernel/2", rp_max_pool2d_cpu(p, p, 1, 1, 5, 5, 3, 3, 2, 2, 2, 1, 4, 3));
    expect_invalid("rp_max_pool2d_cpu", "kh", "kernel > padded input", rp_max_pool2d_cpu(p, p, 1, 1, 2, 5, 5, 3, 1, 2, 1, 1, 1, 3));
    expect_invalid("rp_avg_pool2d_cpu", "ow", "wrong ow", rp_avg_pool2d_cpu(p, p, 1, 1, 5, 5, 3, 3, 2, 2, 1, 1, 3, 4));
    expect_invalid("rp_avg_pool2d_cpu", "pw", "negative pad", rp_avg_pool2d_cpu(p, p, 1, 1, 5, 5, 3, 3, 2, 2, 1, -1, 3, 3));
    expect_invalid("rp_adaptive_avg_pool2d_cpu", "oh", "zero oh", rp_adaptive_avg_pool2d_cpu(p, p, 1, 1, 5, 5, 0, 1));
    expect_invalid("rp_adaptive_avg_pool2d_cpu", "h", "zero h", rp_adaptive_avg_pool2d_cpu(p, p, 1, 1, 0, 5, 1, 1));
    expect_invalid("rp_vit_embed_cpu", "cls", "NULL cls", rp_vit_embed_cpu(p, nullptr, p, p, 1, 2, 3));
    expect_invalid("rp_vit_embed_cpu", "g", "negative g", rp_vit_embed_cpu(p, p, p, p, 1, 2, -3));
    expect_invalid("rp_split_heads_cpu", "dh", "negative dh", rp_split_heads_cpu(p, p, 1, 2, 2, -4));
    expect_invalid("rp_merge_heads_cpu", "y", "NULL y", rp_merge_heads_cpu(p, nullptr, 1, 2, 2, 4));
    expect_invalid("rp_select_token_cpu", "index", "index >= n", rp_select_token_cpu(p, p, 1, 3, 2, 3));
    expect_invalid("rp_select_token_cpu", "index", "negative index", rp_select_token_cpu(p, p, 1, 3, 2, -1));

    const double spec_u[] = {1, 0, 0, 1, 0, 0, 0, 0, 1e-6}, spec_bad_mask[] = {1, 2, 1, 0, 0, 0, 0, 0, 0}, spec_neg_eps[] = {1, 0, 1, 0, 0, 0, 0, 0, -1};
    expect_invalid("rp_lrp_signals_cpu", "u", "NULL u with cu != 0", rp_lrp_signals_cpu(p, p, nullptr, nullptr, nullptr, spec_u, 1, 2, 3, 1, p, 1, nullptr, nullptr));
    expect_invalid("rp_lrp_signals_cpu", "mask", "mask 2", rp_lrp_signals_cpu(p, p, p, nullptr, nullptr, spec_bad_mask, 1, 2, 3, 1, p, 1, nullptr, nullptr));
    expect_invalid("rp_lrp_signals_cpu", "epsilon", "negative epsilon", rp_lrp_signals_cpu(p, p, p, nullptr, nullptr, spec_neg_eps, 1, 2, 3, 1, p, 1, nullptr, nullptr));
    expect_invalid("rp_lrp_signals_cpu", "k", "k = 0", rp_lrp_signals_cpu(p, p, p, nullptr, nullptr, spec_u, 0, 2, 3, 1, p, 1, nullptr, nullptr));
    expect_invalid("rp_lrp_signals_cpu", "group", "group not dividing outer", rp_lrp_signals_cpu(p, p, p, nullptr, nullptr, spec_u, 1, 3, 3, 1, p, 2, p, nullptr));
    const double term_bad[] = {5, 1}, term_x[] = {0, 1};
    expect_invalid("rp_lrp_combine_cpu", "factor", "factor 5", rp_lrp_combine_cpu(p, p, term_bad, 1, 2, 3, 1, p));
    expect_invalid("rp_lrp_combine_cpu", "x", "NULL x with an x factor", rp_lrp_combine_cpu(p, nullptr, term_x, 1, 2, 3, 1, p));
    expect_invalid("rp_lrp_ratio_cpu", "eps", "NaN eps", rp_lrp_ratio_cpu(p, p, nullptr, p, 3, NAN));
    expect_invalid("rp_lrp_max_pool2d_winners_cpu", "out", "NULL out", rp_lrp_max_pool2d_winners_cpu(p, p, nullptr, 1, 1, 5, 5, 3, 3, 2, 2, 1, 1, 3, 3));
    expect_invalid("rp_lrp_max_pool2d_winners_cpu", "oh", "wrong oh", rp_lrp_max_pool2d_winners_cpu(p, p, p, 1, 1, 5, 5, 3, 3, 2, 2, 1, 1, 2, 3));
    expect_invalid("rp_channel_mask_cpu", "mask", "NULL mask", rp_channel_mask_cpu(p, p, nullptr, 2, 1, 3, 1));
    expect_invalid("rp_channel_mask_cpu", "groups", "negative groups", rp_channel_mask_cpu(p, p, p, -2, 1, 3, 1));
    expect_invalid("rp_lrp_ratio_cpu", "den", "NULL den", rp_lrp_ratio_cpu(p, nullptr, nullptr, p, 3, 0.0));

    // empty tensors are fine, and need no storage
    const bool empty_ok = rp_relu_cpu(nullptr, nullptr, 0) == RP_OK &&
                          rp_softmax_cpu(nullptr, nullptr, 0, 5) == RP_OK &&
                          rp_layernorm_cpu(nullptr, nullptr, nullptr, nullptr, 4, 0, 1e-5f) == RP_OK &&
                          rp_channel_affine_cpu(nullptr, nullptr, nullptr, nullptr, 0, 3, 4, 1) == RP_OK &&
                          rp_max_pool2d_cpu(nullptr, nullptr, 0, 3, 5, 5, 3, 3, 2, 2, 1, 1, 3, 3) == RP_OK &&
                          rp_split_heads_cpu(nullptr, nullptr, 0, 3, 2, 4) == RP_OK;
    tally.record(empty_ok, "empty tensors with NULL pointers return RP_OK", "");

    const bool api_ok = strcmp(rp_version(), "0.1.0") == 0 && strcmp(rp_status_name(RP_OK), "RP_OK") == 0 &&
                        strcmp(rp_status_name(RP_ERR_INVALID_ARGUMENT), "RP_ERR_INVALID_ARGUMENT") == 0 &&
                        strcmp(rp_status_name(RP_ERR_CUDA), "RP_ERR_CUDA") == 0 &&
                        strcmp(rp_status_name(RP_ERR_NO_CUDA), "RP_ERR_NO_CUDA") == 0 &&
                        strcmp(rp_status_name(RP_ERR_INTERNAL), "RP_ERR_INTERNAL") == 0 &&
                        rp_status_name(12345)[0] != '\0';
    tally.record(api_ok, "rp_version / rp_status_name", fmt("version %s", rp_version()));
}

// ---- bf16 storage --------------------------------------------------------------------------

// bf16 rounding of x worked out in double: the value's bf16 ulp (8 significant bits, bf16's
// subnormal step below 2^-126), rint's ties-to-even, infinity past the largest bf16
static float bf16_reference(float x) {
    if (std::isnan(x) || std::isinf(x) || x == 0.0f) return x;
    int e;
    frexp((double)x, &e); // |x| = m 2^e, m in [0.5, 1)
    const double ulp = ldexp(1.0, std::max(e - 8, -133));
    const double r = rint((double)x / ulp) * ulp;
    if (fabs(r) >= ldexp(1.0, 128)) return x > 0 ? INFINITY : -INFINITY;
    return (float)r;
}

static void test_bf16() {
    std::vector<float> x = uniform(rng, 1000, -50.0f, 50.0f);
    // exact ties (1 + 2^-8 to even 1, 1 + 3 2^-8 to even 1 + 2^-6), just past a tie, signed zeros,
    // infinities, the largest float (rounds to infinity), the largest bf16, subnormals, NaN
    const float special[] = {0.0f, -0.0f, 1.0f + 0x1p-8f, 1.0f + 3 * 0x1p-8f, -(1.0f + 0x1p-8f), 1.0f + 0x1p-8f + 0x1p-20f,
                             INFINITY, -INFINITY, FLT_MAX, -FLT_MAX, 0x1.fep127f, 0x1p-130f, -0x1.8p-133f, 0x1p-149f,
                             1e-40f, 3.14159265f, -2.71828183f, 65504.0f, 0x1.01p-126f};
    x.insert(x.end(), std::begin(special), std::end(special));
    for (int k = 0; k < 200; k++) x.push_back(ldexpf(uniform(rng, 1, 1.0f, 2.0f)[0], (int)(rng() % 250) - 140));
    x.push_back(NAN);
    x.push_back(-NAN);
    const int64_t n = (int64_t)x.size();
    std::vector<uint16_t> h(n);
    std::vector<float> back(n);
    int st = rp_f32_to_bf16_cpu(x.data(), h.data(), n);
    int st2 = st == RP_OK ? rp_bf16_to_f32_cpu(h.data(), back.data(), n) : st;
    int bad = 0;
    std::string first;
    for (int64_t i = 0; st2 == RP_OK && i < n; i++) {
        const float want = bf16_reference(x[i]);
        uint32_t wb, gb, xb;
        memcpy(&wb, &want, 4);
        memcpy(&gb, &back[i], 4);
        memcpy(&xb, &x[i], 4);
        const bool ok = std::isnan(x[i]) ? (std::isnan(back[i]) && (gb >> 31) == (xb >> 31) && (gb & 0x00400000u)) : wb == gb;
        if (!ok && bad++ == 0) first = fmt("x = %a: got %a, want %a", x[i], back[i], want);
    }
    tally.record(st == RP_OK && st2 == RP_OK && bad == 0, fmt("rp_f32_to_bf16_cpu / rp_bf16_to_f32_cpu n=%lld", (long long)n),
                 st != RP_OK || st2 != RP_OK ? std::string(rp_last_error()) : fmt("%d wrong, first: %s", bad, first.c_str()));
    st = rp_f32_to_bf16_cpu(nullptr, h.data(), 3);
    tally.record(st == RP_ERR_INVALID_ARGUMENT, "rp_f32_to_bf16_cpu NULL x", rp_last_error());
    st = rp_bf16_to_f32_cpu(h.data(), back.data(), -1);
    tally.record(st == RP_ERR_INVALID_ARGUMENT, "rp_bf16_to_f32_cpu n < 0", rp_last_error());
    st = rp_bf16_to_f32_cpu(nullptr, nullptr, 0);
    tally.record(st == RP_OK, "rp_bf16_to_f32_cpu empty", "");
}

// ---- host memory ----------------------------------------------------------------------------

static void test_host_allocator() {
    int applied = -1;
    int st = rp_tune_host_allocator((int64_t)1 << 31, -1, -1, &applied);
    tally.record(st == RP_ERR_INVALID_ARGUMENT && strstr(rp_last_error(), "mmap_threshold") != nullptr, "rp_tune_host_allocator above INT_MAX",
                 rp_last_error());
    st = rp_tune_host_allocator(-1, -1, -1, nullptr);
    tally.record(st == RP_ERR_INVALID_ARGUMENT, "rp_tune_host_allocator NULL applied", rp_last_error());
    st = rp_tune_host_allocator((int64_t)1 << 30, (int64_t)1 << 30, (int64_t)64 << 20, &applied);
#if defined(__GLIBC__)
    const int want = 1;
#else
    const int want = 0;
#endif
    tally.record(st == RP_OK && applied == want, "rp_tune_host_allocator applies where the C library has mallopt",
                 fmt("status %s, applied %d", rp_status_name(st), applied));
#if defined(__GLIBC__)
    // a 200 MiB block now comes from the heap, not from an mmap of its own (mallinfo2's hblkhd
    // counts the bytes in such mmaps)
    const size_t before = mallinfo2().hblkhd;
    void *block = malloc((size_t)200 << 20);
    const size_t during = mallinfo2().hblkhd;
    free(block);
    tally.record(block != nullptr && during - before < ((size_t)200 << 20), "rp_tune_host_allocator: a 200 MiB block is not an mmap of its own",
                 fmt("mmapped bytes %zu before, %zu with the block", before, during));
#endif
}

int main() {
    test_elementwise();
    test_channel_affine();
    test_layernorm();
    test_softmax();
    test_pool2d();
    test_adaptive_pool2d();
    test_vit_layout();
    test_lrp_signals();
    test_lrp_combine();
    test_lrp_ratio();
    test_lrp_max_pool_winners();
    test_lrp_max_pool_winners_all_minus_inf();
    test_pool_adjoints();
    test_lrp_tensor_steps();
    test_lrp_vit_steps();
    test_channel_mask();
    test_gather_features();
    test_threads_bitwise();
    test_bf16();
    test_host_allocator();
    test_invalid_arguments();
    return tally.finish();
}
