// Vision-transformer layout changes: pure data movement (plus the position embedding add).
#include "../common/rp_check.h"

// patches: [b, d, g], cls: [d], pos: [1 + g, d] -> tokens: [b, 1 + g, d]
int rp_vit_embed_cpu(const float *patches, const float *cls, const float *pos, float *tokens,
                     int64_t b, int64_t d, int64_t g) try {
    int st = rp::check_vit_embed("rp_vit_embed_cpu", patches, cls, pos, tokens, b, d, g);
    if (st != RP_OK) return st;
    for (int64_t bi = 0; bi < b; bi++) {
        const float *pb = patches + bi * d * g;
        float *tb = tokens + bi * (1 + g) * d;
        for (int64_t k = 0; k < d; k++) tb[k] = cls[k] + pos[k];
        for (int64_t j = 0; j < g; j++)
            for (int64_t k = 0; k < d; k++)
                tb[(1 + j) * d + k] = pb[k * g + j] + pos[(1 + j) * d + k];
    }
    return RP_OK;
} catch (...) {
    return rp_internal_error("rp_vit_embed_cpu");
}

// qkv: [b, n, 3, h, dh] -> out: [3, b, h, n, dh]
int rp_split_heads_cpu(const float *qkv, float *out, int64_t b, int64_t n, int64_t h, int64_t dh) try {
    int st = rp::check_heads("rp_split_heads_cpu", "qkv", qkv, "out", out, b, n, h, dh, 3);
    if (st != RP_OK) return st;
    for (int64_t t = 0; t < 3; t++)
        for (int64_t bi = 0; bi < b; bi++)
            for (int64_t hi = 0; hi < h; hi++)
                for (int64_t ni = 0; ni < n; ni++)
                    for (int64_t di = 0; di < dh; di++)
                        out[(((t * b + bi) * h + hi) * n + ni) * dh + di] =
                            qkv[(((bi * n + ni) * 3 + t) * h + hi) * dh + di];
    return RP_OK;
} catch (...) {
    return rp_internal_error("rp_split_heads_cpu");
}

// x: [b, h, n, dh] -> y: [b, n, h * dh]
int rp_merge_heads_cpu(const float *x, float *y, int64_t b, int64_t h, int64_t n, int64_t dh) try {
    int st = rp::check_heads("rp_merge_heads_cpu", "x", x, "y", y, b, n, h, dh, 1);
    if (st != RP_OK) return st;
    for (int64_t bi = 0; bi < b; bi++)
        for (int64_t ni = 0; ni < n; ni++)
            for (int64_t hi = 0; hi < h; hi++)
                for (int64_t di = 0; di < dh; di++)
                    y[((bi * n + ni) * h + hi) * dh + di] = x[((bi * h + hi) * n + ni) * dh + di];
    return RP_OK;
} catch (...) {
    return rp_internal_error("rp_merge_heads_cpu");
}

// x: [b, n, d] -> y: [b, d]
int rp_select_token_cpu(const float *x, float *y, int64_t b, int64_t n, int64_t d, int64_t index) try {
    int st = rp::check_select_token("rp_select_token_cpu", x, y, b, n, d, index);
    if (st != RP_OK) return st;
    for (int64_t bi = 0; bi < b; bi++)
        for (int64_t k = 0; k < d; k++) y[bi * d + k] = x[(bi * n + index) * d + k];
    return RP_OK;
} catch (...) {
    return rp_internal_error("rp_select_token_cpu");
}
