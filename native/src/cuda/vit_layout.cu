// Vision-transformer layout changes, CUDA twins of cpu/vit_layout.cpp: one thread per output
// element, so writes are coalesced and the reads take the strides.
#include "cuda_common.cuh"

namespace {

// patches: [b, d, g], cls: [d], pos: [1 + g, d] -> tokens: [b, 1 + g, d]
__global__ void vit_embed_kernel(const float *patches, const float *cls, const float *pos,
                                 float *tokens, int64_t b, int64_t d, int64_t g) {
    const int64_t total = b * (1 + g) * d;
    for (int64_t idx = rp::global_index(); idx < total; idx += rp::global_stride()) {
        const int64_t k = idx % d, t = (idx / d) % (1 + g), bi = idx / (d * (1 + g));
        const float v = t == 0 ? cls[k] : patches[(bi * d + k) * g + (t - 1)];
        tokens[idx] = v + pos[t * d + k];
    }
}

// qkv: [b, n, 3, h, dh] -> out: [3, b, h, n, dh]
__global__ void split_heads_kernel(const float *qkv, float *out, int64_t b, int64_t n, int64_t h,
                                   int64_t dh) {
    const int64_t total = 3 * b * h * n * dh;
    for (int64_t idx = rp::global_index(); idx < total; idx += rp::global_stride()) {
        const int64_t di = idx % dh;
        const int64_t ni = (idx / dh) % n;
        const int64_t hi = (idx / (dh * n)) % h;
        const int64_t bi = (idx / (dh * n * h)) % b;
        const int64_t t = idx / (dh * n * h * b);
        out[idx] = qkv[(((bi * n + ni) * 3 + t) * h + hi) * dh + di];
    }
}

// x: [b, h, n, dh] -> y: [b, n, h * dh]
__global__ void merge_heads_kernel(const float *x, float *y, int64_t b, int64_t h, int64_t n,
                                   int64_t dh) {
    const int64_t total = b * n * h * dh;
    for (int64_t idx = rp::global_index(); idx < total; idx += rp::global_stride()) {
        const int64_t di = idx % dh;
        const int64_t hi = (idx / dh) % h;
        const int64_t ni = (idx / (dh * h)) % n;
        const int64_t bi = idx / (dh * h * n);
        y[idx] = x[((bi * h + hi) * n + ni) * dh + di];
    }
}

// x: [b, n, d] -> y: [b, d]
__global__ void select_token_kernel(const float *x, float *y, int64_t b, int64_t n, int64_t d,
                                    int64_t index) {
    const int64_t total = b * d;
    for (int64_t idx = rp::global_index(); idx < total; idx += rp::global_stride()) {
        const int64_t k = idx % d, bi = idx / d;
        y[idx] = x[(bi * n + index) * d + k];
    }
}

} // namespace

int rp_vit_embed_cuda(const float *patches, const float *cls, const float *pos, float *tokens,
                      int64_t b, int64_t d, int64_t g, void *stream) try {
    int st = rp::check_vit_embed("rp_vit_embed_cuda", patches, cls, pos, tokens, b, d, g);
    if (st != RP_OK) return st;
    const int64_t total = b * (1 + g) * d;
    if (total == 0) return RP_OK;
    vit_embed_kernel<<<rp::grid_for(total), rp::kThreads, 0, rp::as_stream(stream)>>>(
        patches, cls, pos, tokens, b, d, g);
    return rp::check_launch("rp_vit_embed_cuda");
} catch (...) {
    return rp_internal_error("rp_vit_embed_cuda");
}

int rp_split_heads_cuda(const float *qkv, float *out, int64_t b, int64_t n, int64_t h, int64_t dh,
                        void *stream) try {
    int st = rp::check_heads("rp_split_heads_cuda", "qkv", qkv, "out", out, b, n, h, dh, 3);
    if (st != RP_OK) return st;
    const int64_t total = 3 * b * n * h * dh;
    if (total == 0) return RP_OK;
    split_heads_kernel<<<rp::grid_for(total), rp::kThreads, 0, rp::as_stream(stream)>>>(
        qkv, out, b, n, h, dh);
    return rp::check_launch("rp_split_heads_cuda");
} catch (...) {
    return rp_internal_error("rp_split_heads_cuda");
}

int rp_merge_heads_cuda(const float *x, float *y, int64_t b, int64_t h, int64_t n, int64_t dh,
                        void *stream) try {
    int st = rp::check_heads("rp_merge_heads_cuda", "x", x, "y", y, b, n, h, dh, 1);
    if (st != RP_OK) return st;
    const int64_t total = b * n * h * dh;
    if (total == 0) return RP_OK;
    merge_heads_kernel<<<rp::grid_for(total), rp::kThreads, 0, rp::as_stream(stream)>>>(
        x, y, b, h, n, dh);
    return rp::check_launch("rp_merge_heads_cuda");
} catch (...) {
    return rp_internal_error("rp_merge_heads_cuda");
}

int rp_select_token_cuda(const float *x, float *y, int64_t b, int64_t n, int64_t d, int64_t index,
                         void *stream) try {
    int st = rp::check_select_token("rp_select_token_cuda", x, y, b, n, d, index);
    if (st != RP_OK) return st;
    const int64_t total = b * d;
    if (total == 0) return RP_OK;
    select_token_kernel<<<rp::grid_for(total), rp::kThreads, 0, rp::as_stream(stream)>>>(
        x, y, b, n, d, index);
    return rp::check_launch("rp_select_token_cuda");
} catch (...) {
    return rp_internal_error("rp_select_token_cuda");
}
