// Shared by the kernel tests: seeded random tensors, the tolerance check, the pass/fail tally,
// and the shapes every kernel is tried on (odd sizes on purpose: 1, 3, 7, 33, 129).
#pragma once

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#include <random>
#include <string>
#include <vector>

#include "relprune.h"

struct Tally {
    int passed = 0, failed = 0;

    void record(bool ok, const std::string &what, const std::string &detail) {
        printf("%s  %-62s %s\n", ok ? "PASS" : "FAIL", what.c_str(), detail.c_str());
        fflush(stdout);
        if (ok) passed++; else failed++;
    }
    int finish() const {
        printf("%d passed, %d failed\n", passed, failed);
        return failed == 0 ? 0 : 1;
    }
};

inline std::vector<float> uniform(std::mt19937 &rng, int64_t n, float lo, float hi) {
    std::uniform_real_distribution<float> dist(lo, hi);
    std::vector<float> v((size_t)n);
    for (float &e : v) e = dist(rng);
    return v;
}

inline std::string fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
inline std::string fmt(const char *f, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, f);
    vsnprintf(buf, sizeof buf, f, ap);
    va_end(ap);
    return buf;
}

// |got - ref| <= atol + rtol * |ref| everywhere; NaN only where ref is NaN.
template <class Ref>
inline bool close(const float *got, const Ref *ref, int64_t n, double atol, double rtol,
                  std::string *detail) {
    double worst = 0.0;
    int64_t worst_i = -1, bad = 0;
    for (int64_t i = 0; i < n; i++) {
        const double g = got[i], r = (double)ref[i];
        bool ok;
        double err = 0.0;
        if (isnan(r) || isnan(g)) ok = isnan(r) && isnan(g);
        else if (isinf(r) || isinf(g)) ok = g == r;
        else {
            err = fabs(g - r);
            ok = err <= atol + rtol * fabs(r);
        }
        if (!ok) {
            if (bad == 0) worst_i = i;
            bad++;
        }
        if (err > worst) worst = err;
    }
    if (bad) {
        *detail = fmt("%lld of %lld wrong, first at %lld: got %.9g want %.9g", (long long)bad,
                      (long long)n, (long long)worst_i, (double)got[worst_i], (double)ref[worst_i]);
        return false;
    }
    *detail = fmt("max |err| %.3g", worst);
    return true;
}

// ---- shapes ----------------------------------------------------------------------------------

inline constexpr int64_t kElementwiseN[] = {1, 3, 7, 33, 129, 1000};

struct AffineShape { int64_t n, c, hw; };
inline constexpr AffineShape kAffineShapes[] = {{1, 1, 1}, {2, 3, 7}, {3, 33, 1}, {1, 7, 129}, {2, 5, 33}};

struct RowShape { int64_t rows, cols; };
inline constexpr RowShape kLayernormShapes[] = {{1, 1}, {3, 5}, {7, 768}, {33, 129}, {2, 33}, {1, 3}};
inline constexpr RowShape kSoftmaxShapes[] = {{1, 1}, {3, 5}, {7, 129}, {33, 33}, {4, 768}, {2, 1000}};

struct PoolShape { int64_t n, c, h, w, kh, kw, sh, sw, ph, pw; };
inline constexpr PoolShape kPoolShapes[] = {
    {1, 1, 1, 1, 1, 1, 1, 1, 0, 0},     {2, 3, 7, 7, 3, 3, 2, 2, 1, 1},
    {1, 2, 33, 17, 3, 2, 2, 1, 1, 1},   {1, 1, 5, 9, 2, 3, 3, 2, 1, 0},
    {1, 3, 129, 7, 5, 1, 3, 1, 2, 0},   {2, 4, 32, 32, 3, 3, 2, 2, 1, 1},
    {1, 2, 8, 8, 2, 2, 2, 2, 0, 0},     {1, 1, 7, 7, 7, 7, 1, 1, 3, 3},
};
inline int64_t pool_out(int64_t in, int64_t k, int64_t s, int64_t p) { return (in + 2 * p - k) / s + 1; }

struct AdaptiveShape { int64_t n, c, h, w, oh, ow; };
inline constexpr AdaptiveShape kAdaptiveShapes[] = {
    {1, 1, 7, 7, 3, 3}, {2, 3, 5, 5, 7, 7}, {1, 2, 7, 5, 3, 7}, {1, 4, 33, 17, 1, 1},
    {2, 3, 7, 7, 7, 7}, {1, 1, 1, 1, 1, 1}, {2, 8, 14, 14, 3, 5}, {1, 2, 129, 3, 7, 2},
};

struct EmbedShape { int64_t b, d, g; };
inline constexpr EmbedShape kEmbedShapes[] = {{1, 1, 1}, {2, 3, 4}, {1, 8, 9}, {3, 33, 7}, {2, 64, 49}};

struct HeadShape { int64_t b, n, h, dh; };
inline constexpr HeadShape kHeadShapes[] = {{1, 1, 1, 1}, {2, 5, 3, 4}, {3, 7, 2, 33}, {1, 17, 12, 64}};

struct LrpShape { int64_t outer, c, inner, group; };
inline const LrpShape kLrpShapes[] = {{1, 1, 1, 1}, {2, 3, 7, 1}, {6, 5, 1, 3}, {3, 33, 9, 3}, {4, 7, 129, 2}, {1, 129, 1, 1}};

inline double ref_stab(double d, double eps) { return d >= 0.0 ? d + eps : d - eps; }

// the rules' signal sets, as the Java side builds them (epsilon; z+; alpha-beta; gamma; z-box; flat)
inline const std::vector<std::vector<std::vector<double>>> kSignalSets = {
    {{1, 0, 1, 0, 0, 0, 0, 0, 0.25}},
    {{1, 0, 0, 1, 0, 1, 0, 0, 1e-6}},
    {{2, 0, 0, 1, 0, 1, 0, 0, 1e-6}, {-1, 0, 1, -1, -1, 0, 1, 0, 1e-6}},
    {{1, 1, 1, 0.25, 0, 0.25, 0, 0, 1e-6}, {1, -1, 1.25, -0.25, -0.25, 0, 0.25, 0, 1e-6}},
    {{1, 0, 1, 0, -1, 0, 0, -1, 1e-6}},
    {{1, 0, 0, 0, 0, 0, 0, 1, 1e-6}},
};

struct SelectShape { int64_t b, n, d, index; };
inline constexpr SelectShape kSelectShapes[] = {{1, 1, 1, 0}, {2, 5, 3, 4}, {3, 197, 129, 0}, {4, 7, 33, 3}};
