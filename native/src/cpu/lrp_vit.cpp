// The vision-transformer steps of LRP: LayerNorm with its standard deviation held constant, the
// softmax's own adjoint (AttnLRP's softmax rule) and the layout changes that invert the forward's
// (heads back to tokens, the packed qkv, tokens back to the patch grid). Row sums in double.
#include <math.h>

#include "../common/rp_check.h"
#include "parallel.h"

// x: [rows, cols]; gamma: [cols] or NULL (ones); scale: [rows, cols] = gamma / sigma(x row)
int rp_layernorm_scale_cpu(const float *x, const float *gamma, float *scale, int64_t rows, int64_t cols,
                           float eps) try {
    int st = rp::check_layernorm("rp_layernorm_scale_cpu", x, scale, rows, cols, eps);
    if (st != RP_OK) return st;
    rp::parallel_for(rows, rp::kElementGrain / (cols + 1) + 1, [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; r++) {
            const float *xr = x + r * cols;
            double mean = 0.0;
            for (int64_t j = 0; j < cols; j++) mean += xr[j];
            mean /= (double)cols;
            double var = 0.0;
            for (int64_t j = 0; j < cols; j++) var += (xr[j] - mean) * (xr[j] - mean);
            var /= (double)cols; // biased, as LayerNorm's forward
            const double inv = 1.0 / sqrt(var + (double)eps);
            for (int64_t j = 0; j < cols; j++) scale[r * cols + j] = (float)((gamma ? gamma[j] : 1.0f) * inv);
        }
    });
    return RP_OK;
} catch (...) {
    return rp_internal_error("rp_layernorm_scale_cpu");
}

// g, scale, out: [rows, cols]; out = v - mean(v) per row, v = g * scale
int rp_layernorm_adjoint_cpu(const float *g, const float *scale, float *out, int64_t rows, int64_t cols) try {
    int st = rp::check_rows3("rp_layernorm_adjoint_cpu", "g", g, "scale", scale, "out", out, rows, cols);
    if (st != RP_OK) return st;
    rp::parallel_for(rows, rp::kElementGrain / (cols + 1) + 1, [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; r++) {
            const float *gr = g + r * cols, *sr = scale + r * cols;
            double mean = 0.0;
            for (int64_t j = 0; j < cols; j++) mean += gr[j] * sr[j];
            const float m = (float)(mean / (double)cols);
            for (int64_t j = 0; j < cols; j++) out[r * cols + j] = gr[j] * sr[j] - m;
        }
    });
    return RP_OK;
} catch (...) {
    return rp_internal_error("rp_layernorm_adjoint_cpu");
}

// a, ga, out: [rows, cols]; out = a * (ga - sum_j a_j ga_j): the softmax's gradient at its input
int rp_softmax_adjoint_cpu(const float *a, const float *ga, float *out, int64_t rows, int64_t cols) try {
    int st = rp::check_rows3("rp_softmax_adjoint_cpu", "a", a, "ga", ga, "out", out, rows, cols);
    if (st != RP_OK) return st;
    rp::parallel_for(rows, rp::kElementGrain / (cols + 1) + 1, [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; r++) {
            const float *ar = a + r * cols, *gr = ga + r * cols;
            double s = 0.0;
            for (int64_t j = 0; j < cols; j++) s += (double)ar[j] * gr[j];
            const float sf = (float)s;
            for (int64_t j = 0; j < cols; j++) out[r * cols + j] = ar[j] * (gr[j] - sf);
        }
    });
    return RP_OK;
} catch (...) {
    return rp_internal_error("rp_softmax_adjoint_cpu");
}

// x: [b, n, h * dh] -> y: [b, h, n, dh] (the inverse of rp_merge_heads)
int rp_unmerge_heads_cpu(const float *x, float *y, int64_t b, int64_t h, int64_t n, int64_t dh) try {
    int st = rp::check_heads("rp_unmerge_heads_cpu", "x", x, "y", y, b, n, h, dh, 1);
    if (st != RP_OK) return st;
    for (int64_t bi = 0; bi < b; bi++)
        for (int64_t hi = 0; hi < h; hi++)
            for (int64_t ni = 0; ni < n; ni++)
                for (int64_t di = 0; di < dh; di++)
                    y[((bi * h + hi) * n + ni) * dh + di] = x[((bi * n + ni) * h + hi) * dh + di];
    return RP_OK;
} catch (...) {
    return rp_internal_error("rp_unmerge_heads_cpu");
}

// parts: [3, b, h, n, dh] -> qkv: [b, n, 3, h, dh] (the inverse of rp_split_heads)
int rp_merge_qkv_cpu(const float *parts, float *qkv, int64_t b, int64_t n, int64_t h, int64_t dh) try {
    int st = rp::check_heads("rp_merge_qkv_cpu", "parts", parts, "qkv", qkv, b, n, h, dh, 3);
    if (st != RP_OK) return st;
    for (int64_t bi = 0; bi < b; bi++)
        for (int64_t ni = 0; ni < n; ni++)
            for (int64_t t = 0; t < 3; t++)
                for (int64_t hi = 0; hi < h; hi++)
                    for (int64_t di = 0; di < dh; di++)
                        qkv[(((bi * n + ni) * 3 + t) * h + hi) * dh + di] =
                            parts[(((t * b + bi) * h + hi) * n + ni) * dh + di];
    return RP_OK;
} catch (...) {
    return rp_internal_error("rp_merge_qkv_cpu");
}

// tokens: [b, 1 + g, d] -> grid: [b, d, g] (the class token dropped; the inverse of the
// embedding's layout)
int rp_tokens_to_grid_cpu(const float *tokens, float *grid, int64_t b, int64_t d, int64_t g) try {
    int st = rp::check_tokens_grid("rp_tokens_to_grid_cpu", tokens, grid, b, d, g);
    if (st != RP_OK) return st;
    for (int64_t bi = 0; bi < b; bi++)
        for (int64_t k = 0; k < d; k++)
            for (int64_t j = 0; j < g; j++) grid[(bi * d + k) * g + j] = tokens[(bi * (1 + g) + 1 + j) * d + k];
    return RP_OK;
} catch (...) {
    return rp_internal_error("rp_tokens_to_grid_cpu");
}
