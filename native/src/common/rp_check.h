// Argument validation shared by the CPU and CUDA twins, so that both reject exactly the same
// calls with a message naming the exported function and the offending argument.
#pragma once

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <math.h>

#include <initializer_list>

#include "rp_error.h"

namespace rp {

// Collects the first problem only: later checks often make sense only if earlier ones passed
// (a NULL check needs a valid element count), and the caller sees one status anyway.
class Args {
  public:
    explicit Args(const char *fn) : fn_(fn) {}

    bool ok() const { return ok_; }
    int status() const { return ok_ ? RP_OK : RP_ERR_INVALID_ARGUMENT; }

    __attribute__((format(printf, 2, 3))) void fail(const char *fmt, ...) {
        if (!ok_) return;
        char msg[384];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        rp_set_error("%s: %s", fn_, msg);
        ok_ = false;
    }

    Args &nonneg(const char *name, int64_t v) {
        if (ok_ && v < 0) fail("%s = %lld must be >= 0", name, (long long)v);
        return *this;
    }
    Args &positive(const char *name, int64_t v) {
        if (ok_ && v < 1) fail("%s = %lld must be >= 1", name, (long long)v);
        return *this;
    }
    // A pointer may be NULL only when it addresses no element.
    Args &ptr(const char *name, const void *p, int64_t count) {
        if (ok_ && p == nullptr && count > 0)
            fail("%s is NULL but must hold %lld floats", name, (long long)count);
        return *this;
    }
    // *out = product of dims (all >= 0 by now); rejects shapes whose element count or byte
    // size would overflow int64_t, so kernels can index with plain int64_t arithmetic.
    Args &numel(int64_t *out, const char *tensor, std::initializer_list<int64_t> dims) {
        *out = 0;
        if (!ok_) return *this;
        const int64_t limit = INT64_MAX / (int64_t)sizeof(float);
        int64_t p = 1;
        for (int64_t d : dims) {
            if (d == 0) return *this; // *out stays 0, whatever the other dims are
            if (p > limit / d) {
                fail("%s has too many elements (int64 overflow)", tensor);
                return *this;
            }
            p *= d;
        }
        *out = p;
        return *this;
    }

  private:
    const char *fn_;
    bool ok_ = true;
};

// x, y: [n]
inline int check_unary(const char *fn, const float *x, const float *y, int64_t n) {
    Args a(fn);
    int64_t cnt;
    a.nonneg("n", n).numel(&cnt, "x", {n}).ptr("x", x, cnt).ptr("y", y, cnt);
    return a.status();
}

// x, out: [n] in float32 and bf16 (either way)
inline int check_bf16_convert(const char *fn, const void *x, const void *out, int64_t n) {
    Args a(fn);
    a.nonneg("n", n).ptr("x", x, n).ptr("out", out, n);
    return a.status();
}

// a, b, y: [n]
inline int check_add(const char *fn, const float *x0, const float *x1, const float *y, int64_t n) {
    Args a(fn);
    int64_t cnt;
    a.nonneg("n", n).numel(&cnt, "a", {n}).ptr("a", x0, cnt).ptr("b", x1, cnt).ptr("y", y, cnt);
    return a.status();
}

// x, y: [n, c, hw]; scale, shift: [c] or NULL
inline int check_channel_affine(const char *fn, const float *x, const float *y, int64_t n,
                                int64_t c, int64_t hw) {
    Args a(fn);
    int64_t cnt;
    a.nonneg("n", n).nonneg("c", c).nonneg("hw", hw).numel(&cnt, "x", {n, c, hw});
    a.ptr("x", x, cnt).ptr("y", y, cnt);
    return a.status();
}

// x, y: [rows, cols]
inline int check_rows(const char *fn, const float *x, const float *y, int64_t rows, int64_t cols) {
    Args a(fn);
    int64_t cnt;
    a.nonneg("rows", rows).nonneg("cols", cols).numel(&cnt, "x", {rows, cols});
    a.ptr("x", x, cnt).ptr("y", y, cnt);
    return a.status();
}

// x, y: [rows, cols]; gamma, beta: [cols] or NULL
inline int check_layernorm(const char *fn, const float *x, const float *y, int64_t rows,
                           int64_t cols, float eps) {
    int st = check_rows(fn, x, y, rows, cols);
    if (st != RP_OK) return st;
    Args a(fn);
    if (!(eps >= 0.0f)) a.fail("eps = %g must be >= 0", (double)eps); // also rejects NaN
    return a.status();
}

// x: [n, c, h, w] -> y: [n, c, oh, ow]. Same rules as torch (floor mode): pad at most half the
// kernel, which guarantees every window covers at least one real input element.
inline int check_pool2d(const char *fn, const float *x, const float *y, int64_t n, int64_t c,
                        int64_t h, int64_t w, int64_t kh, int64_t kw, int64_t sh, int64_t sw,
                        int64_t ph, int64_t pw, int64_t oh, int64_t ow) {
    Args a(fn);
    a.nonneg("n", n).nonneg("c", c).positive("h", h).positive("w", w);
    a.positive("kh", kh).positive("kw", kw).positive("sh", sh).positive("sw", sw);
    a.nonneg("ph", ph).nonneg("pw", pw).nonneg("oh", oh).nonneg("ow", ow);
    if (!a.ok()) return a.status();
    if (ph > kh / 2) a.fail("ph = %lld must be <= kh / 2 = %lld", (long long)ph, (long long)(kh / 2));
    if (pw > kw / 2) a.fail("pw = %lld must be <= kw / 2 = %lld", (long long)pw, (long long)(kw / 2));
    if (!a.ok()) return a.status();
    // compared as kh - 2*ph > h, which cannot overflow (0 <= kh - 2*ph <= kh); when it holds,
    // h + 2*ph < kh, so printing that sum cannot overflow either
    if (kh - 2 * ph > h) a.fail("kh = %lld exceeds the padded height h + 2*ph = %lld", (long long)kh, (long long)(h + 2 * ph));
    if (kw - 2 * pw > w) a.fail("kw = %lld exceeds the padded width w + 2*pw = %lld", (long long)kw, (long long)(w + 2 * pw));
    if (!a.ok()) return a.status();
    const int64_t want_oh = (h - (kh - 2 * ph)) / sh + 1;
    const int64_t want_ow = (w - (kw - 2 * pw)) / sw + 1;
    if (oh != want_oh) a.fail("oh = %lld but floor((h + 2*ph - kh) / sh) + 1 = %lld", (long long)oh, (long long)want_oh);
    if (ow != want_ow) a.fail("ow = %lld but floor((w + 2*pw - kw) / sw) + 1 = %lld", (long long)ow, (long long)want_ow);
    int64_t nx, ny;
    a.numel(&nx, "x", {n, c, h, w}).numel(&ny, "y", {n, c, oh, ow}).ptr("x", x, nx).ptr("y", y, ny);
    return a.status();
}

// x: [n, c, h, w] -> y: [n, c, oh, ow]
inline int check_adaptive_pool2d(const char *fn, const float *x, const float *y, int64_t n,
                                 int64_t c, int64_t h, int64_t w, int64_t oh, int64_t ow) {
    Args a(fn);
    int64_t nx, ny, t;
    a.nonneg("n", n).nonneg("c", c).positive("h", h).positive("w", w);
    a.positive("oh", oh).positive("ow", ow);
    // the window bounds compute (i + 1) * h with i < oh
    a.numel(&t, "oh * h", {oh, h}).numel(&t, "ow * w", {ow, w});
    a.numel(&nx, "x", {n, c, h, w}).numel(&ny, "y", {n, c, oh, ow}).ptr("x", x, nx).ptr("y", y, ny);
    return a.status();
}

// patches: [b, d, g], cls: [d], pos: [1 + g, d], tokens: [b, 1 + g, d]
inline int check_vit_embed(const char *fn, const float *patches, const float *cls,
                           const float *pos, const float *tokens, int64_t b, int64_t d, int64_t g) {
    Args a(fn);
    int64_t np, nt, npos;
    a.nonneg("b", b).nonneg("d", d).nonneg("g", g);
    if (a.ok() && g == INT64_MAX) a.fail("g = %lld is too large", (long long)g);
    a.numel(&np, "patches", {b, d, g}).numel(&nt, "tokens", {b, 1 + g, d}).numel(&npos, "pos", {1 + g, d});
    a.ptr("patches", patches, np).ptr("cls", cls, d).ptr("pos", pos, npos).ptr("tokens", tokens, nt);
    return a.status();
}

// split: qkv [b, n, 3, h, dh] -> out [3, b, h, n, dh]; merge: x [b, h, n, dh] -> y [b, n, h*dh].
// parts is 3 for split, 1 for merge; in and out always hold the same number of elements.
inline int check_heads(const char *fn, const char *in_name, const float *in, const char *out_name,
                       const float *out, int64_t b, int64_t n, int64_t h, int64_t dh, int64_t parts) {
    Args a(fn);
    int64_t cnt;
    a.nonneg("b", b).nonneg("n", n).nonneg("h", h).nonneg("dh", dh);
    a.numel(&cnt, in_name, {parts, b, n, h, dh}).ptr(in_name, in, cnt).ptr(out_name, out, cnt);
    return a.status();
}

// x: [b, n, d] -> y: [b, d]
inline int check_select_token(const char *fn, const float *x, const float *y, int64_t b,
                              int64_t n, int64_t d, int64_t index) {
    Args a(fn);
    int64_t nx, ny;
    a.nonneg("b", b).nonneg("n", n).nonneg("d", d);
    if (a.ok() && (index < 0 || index >= n))
        a.fail("index = %lld must be in [0, n = %lld)", (long long)index, (long long)n);
    a.numel(&nx, "x", {b, n, d}).numel(&ny, "y", {b, d}).ptr("x", x, nx).ptr("y", y, ny);
    return a.status();
}

// r, z, u, offset: [outer, c, inner]; s: [outer, k*c, inner]; sums: [outer/group, c]
inline int check_lrp_signals(const char *fn, const float *r, const float *z, const float *u,
                             const float *bias, const float *offset, const double *specs,
                             int64_t k, int64_t outer, int64_t c, int64_t inner, const float *s,
                             int64_t group, const float *sums, const float *abs_sums) {
    (void)bias; // NULL means zero bias; otherwise it holds c floats, which cannot be checked here
    Args a(fn);
    int64_t n, ns, nsum = 0;
    a.nonneg("outer", outer).nonneg("c", c).nonneg("inner", inner);
    if (a.ok() && (k < 1 || k > RP_LRP_MAX_SIGNALS))
        a.fail("k = %lld must be in [1, %d]", (long long)k, RP_LRP_MAX_SIGNALS);
    if (a.ok() && specs == nullptr) a.fail("specs is NULL");
    a.numel(&n, "r", {outer, c, inner}).numel(&ns, "s", {outer, k, c, inner});
    a.ptr("r", r, n).ptr("z", z, n).ptr("s", s, ns);
    if (!a.ok()) return a.status();
    bool want_u = false, want_offset = false;
    for (int64_t t = 0; t < k && a.ok(); t++) {
        const double *sp = specs + t * RP_LRP_SIGNAL_FIELDS;
        for (int f = 0; f < RP_LRP_SIGNAL_FIELDS; f++)
            if (!isfinite(sp[f])) a.fail("signal %lld field %d = %g is not finite", (long long)t, f, sp[f]);
        if (!a.ok()) break;
        const double m = sp[RP_SIG_MASK];
        if (m != 0.0 && m != 1.0 && m != -1.0) a.fail("signal %lld mask = %g must be 0, 1 or -1", (long long)t, m);
        if (sp[RP_SIG_EPSILON] < 0.0) a.fail("signal %lld epsilon = %g must be >= 0", (long long)t, sp[RP_SIG_EPSILON]);
        want_u |= sp[RP_SIG_CU] != 0.0;
        want_offset |= sp[RP_SIG_COFFSET] != 0.0;
    }
    if (a.ok() && want_u && u == nullptr && n > 0) a.fail("u is NULL but a signal has cu != 0");
    if (a.ok() && want_offset && offset == nullptr && n > 0) a.fail("offset is NULL but a signal has coffset != 0");
    if (want_u) a.ptr("u", u, n);
    if (want_offset) a.ptr("offset", offset, n);
    if (sums != nullptr || abs_sums != nullptr) {
        a.positive("group", group);
        if (a.ok() && outer % group != 0)
            a.fail("group = %lld does not divide outer = %lld", (long long)group, (long long)outer);
        if (a.ok()) a.numel(&nsum, "sums", {outer / group, c});
    }
    return a.status();
}

// g: [outer, k*c, inner]; x, out: [outer, c, inner]
inline int check_lrp_combine(const char *fn, const float *g, const float *x, const double *terms,
                             int64_t k, int64_t outer, int64_t c, int64_t inner, const float *out) {
    Args a(fn);
    int64_t n, ng;
    a.nonneg("outer", outer).nonneg("c", c).nonneg("inner", inner);
    if (a.ok() && (k < 1 || k > RP_LRP_MAX_SIGNALS))
        a.fail("k = %lld must be in [1, %d]", (long long)k, RP_LRP_MAX_SIGNALS);
    if (a.ok() && terms == nullptr) a.fail("terms is NULL");
    a.numel(&n, "out", {outer, c, inner}).numel(&ng, "g", {outer, k, c, inner});
    a.ptr("g", g, ng).ptr("out", out, n);
    bool want_x = false;
    for (int64_t t = 0; t < k && a.ok(); t++) {
        const double f = terms[t * RP_LRP_TERM_FIELDS], cst = terms[t * RP_LRP_TERM_FIELDS + 1];
        if (f != RP_FACTOR_X && f != RP_FACTOR_X_POS && f != RP_FACTOR_X_NEG && f != RP_FACTOR_CONSTANT && f != RP_FACTOR_X_PLUS)
            a.fail("term %lld factor = %g must be 0 (x), 1 (x+), 2 (x-), 3 (constant) or 4 (x + constant)", (long long)t, f);
        else if (!isfinite(cst)) a.fail("term %lld constant = %g is not finite", (long long)t, cst);
        want_x |= f != RP_FACTOR_CONSTANT;
    }
    if (want_x) a.ptr("x", x, n);
    return a.status();
}

// num, den, x, out: [n]
inline int check_lrp_ratio(const char *fn, const float *num, const float *den, const float *out,
                           int64_t n, double eps) {
    Args a(fn);
    int64_t cnt;
    a.nonneg("n", n).numel(&cnt, "num", {n}).ptr("num", num, cnt).ptr("den", den, cnt).ptr("out", out, cnt);
    if (a.ok() && !(eps >= 0.0 && isfinite(eps))) a.fail("eps = %g must be finite and >= 0", eps);
    return a.status();
}

// x, y: [groups * batch, c, inner]; mask: [groups, c]
inline int check_channel_mask(const char *fn, const float *x, const float *y, const float *mask,
                              int64_t groups, int64_t batch, int64_t c, int64_t inner) {
    Args a(fn);
    int64_t n, nm;
    a.nonneg("groups", groups).nonneg("batch", batch).nonneg("c", c).nonneg("inner", inner);
    a.numel(&n, "x", {groups, batch, c, inner}).numel(&nm, "mask", {groups, c});
    a.ptr("x", x, n).ptr("y", y, n).ptr("mask", mask, nm);
    return a.status();
}

// x: [outer, c_in, inner]; y: [outer, c_out, inner]; index: [c_out] (its values are the kernel's to check)
inline int check_gather_features(const char *fn, const float *x, const float *y, const int64_t *index,
                                 int64_t outer, int64_t c_in, int64_t c_out, int64_t inner) {
    Args a(fn);
    int64_t nx, ny, ni;
    a.nonneg("outer", outer).nonneg("c_in", c_in).nonneg("c_out", c_out).nonneg("inner", inner);
    a.numel(&nx, "x", {outer, c_in, inner}).numel(&ny, "y", {outer, c_out, inner}).numel(&ni, "index", {c_out});
    a.ptr("x", x, nx).ptr("y", y, ny).ptr("index", index, ni);
    return a.status();
}

// x: [outer, c, inner]; out: [outer, 2c, inner]
inline int check_split_signs(const char *fn, const float *x, const float *out, int64_t outer,
                             int64_t c, int64_t inner) {
    Args a(fn);
    int64_t n, n2;
    a.nonneg("outer", outer).nonneg("c", c).nonneg("inner", inner);
    a.numel(&n, "x", {outer, c, inner}).numel(&n2, "out", {outer, 2, c, inner});
    a.ptr("x", x, n).ptr("out", out, n2);
    return a.status();
}

// x: [outer, c, inner]; sums, abs_sums: [outer/group, c] or NULL
inline int check_feature_sums(const char *fn, const float *x, int64_t outer, int64_t c,
                              int64_t inner, int64_t group, const float *sums,
                              const float *abs_sums) {
    Args a(fn);
    int64_t n;
    a.nonneg("outer", outer).nonneg("c", c).nonneg("inner", inner).positive("group", group);
    if (!a.ok()) return a.status();
    if (outer % group != 0) a.fail("group = %lld does not divide outer = %lld", (long long)group, (long long)outer);
    a.numel(&n, "x", {outer, c, inner}).ptr("x", x, n);
    if (sums) a.ptr("sums", sums, (outer / group) * c);
    if (abs_sums) a.ptr("abs_sums", abs_sums, (outer / group) * c);
    return a.status();
}

// x: [n]; result: one int
inline int check_any_negative(const char *fn, const float *x, int64_t n, const int *result) {
    Args a(fn);
    a.nonneg("n", n).ptr("x", x, n);
    if (a.ok() && result == nullptr) a.fail("result is NULL");
    return a.status();
}

// three tensors of [rows, cols]
inline int check_rows3(const char *fn, const char *n0, const float *p0, const char *n1, const float *p1,
                       const char *n2, const float *p2, int64_t rows, int64_t cols) {
    Args a(fn);
    int64_t cnt;
    a.nonneg("rows", rows).nonneg("cols", cols).numel(&cnt, n0, {rows, cols});
    a.ptr(n0, p0, cnt).ptr(n1, p1, cnt).ptr(n2, p2, cnt);
    return a.status();
}

// tokens: [b, 1 + g, d]; grid: [b, d, g]
inline int check_tokens_grid(const char *fn, const float *tokens, const float *grid, int64_t b,
                             int64_t d, int64_t g) {
    Args a(fn);
    int64_t nt, ng;
    a.nonneg("b", b).nonneg("d", d).nonneg("g", g);
    if (a.ok() && g == INT64_MAX) a.fail("g = %lld is too large", (long long)g);
    a.numel(&nt, "tokens", {b, 1 + g, d}).numel(&ng, "grid", {b, d, g}).ptr("tokens", tokens, nt).ptr("grid", grid, ng);
    return a.status();
}

} // namespace rp
