/*
 * relprune native kernels: the one C ABI of the project.
 *
 * Conventions
 *  - Every kernel has a CPU twin (suffix _cpu, native/src/cpu) and a CUDA twin (suffix _cuda,
 *    native/src/cuda) with the same name stem and the same arguments; the CUDA twin takes one
 *    extra trailing argument, the cudaStream_t to run on (as void*, NULL = default stream).
 *    The CPU twin is the specification: it reads like the maths and the CUDA twin is tested
 *    against it (native/tests).
 *  - Pointers of a _cuda kernel are device pointers; of a _cpu kernel host pointers.
 *  - Tensors are float32, dense, row-major (NCHW for images). Sizes are int64_t.
 *  - Every function returns an rp_status; no C++ exception crosses this boundary.
 *    rp_last_error() gives a thread-local message for the last failure on this thread.
 *  - Arguments are checked before anything is touched: a negative size, a NULL pointer to a
 *    non-empty tensor, a shape whose element count overflows int64_t or an inconsistent shape
 *    gives RP_ERR_INVALID_ARGUMENT and a message naming the function and the argument.
 *    Empty tensors (a size 0; pooling needs spatial sizes >= 1) are valid, and their pointers
 *    may then be NULL.
 *  - An output may alias an input only where its entry says so.
 *  - CUDA kernels are asynchronous on their stream: a launch error is reported at once,
 *    an execution error by the next synchronizing call (rp_cuda_synchronize).
 */
#ifndef RELPRUNE_H
#define RELPRUNE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum rp_status {
    RP_OK = 0,
    RP_ERR_INVALID_ARGUMENT = 1, /* a size is negative, a pointer NULL, a shape inconsistent */
    RP_ERR_CUDA = 2,             /* a CUDA runtime call failed: see rp_last_error() */
    RP_ERR_NO_CUDA = 3,          /* the library was built without nvcc */
    RP_ERR_INTERNAL = 4
} rp_status;

/* Static, human-readable name of a status code. */
const char *rp_status_name(int status);
/* Thread-local message describing the last failure on this thread ("" if none). Successful
 * calls leave it unchanged; the pointer stays valid until the next failure on this thread. */
const char *rp_last_error(void);
/* Library version string, e.g. "0.1.0". */
const char *rp_version(void);

/* ---- host memory ------------------------------------------------------------------------ */

/* Keeps large host allocations (tensors of tens of MiB that are freed and allocated again every
 * batch) in malloc's heap instead of a fresh mmap each time, whose page faults and munmap cost
 * more than the arithmetic on them: glibc's mallopt M_MMAP_THRESHOLD, M_TRIM_THRESHOLD and
 * M_TOP_PAD, in bytes (a value < 0 leaves that setting alone). *applied = 1 when set, 0 where the
 * C library has no mallopt (not glibc). Process-wide; call before the work starts. */
int rp_tune_host_allocator(int64_t mmap_threshold, int64_t trim_threshold, int64_t top_pad, int *applied);

/* Asks the thread pools of the libraries under libtorch to sleep when idle instead of spinning:
 * GOMP_SPINCOUNT=0 (libgomp) and OPENBLAS_THREAD_TIMEOUT=4 (OpenBLAS), each only where the
 * environment does not set it already. They read it when they load: call before libtorch loads.
 * *set: bit 0 set for GOMP_SPINCOUNT, bit 1 for OPENBLAS_THREAD_TIMEOUT. */
int rp_quiet_idle_threads(int *set);

/* ---- kernel threads ----------------------------------------------------------------------- */

/* The CPU kernels split their loops over this many threads (the calling thread and threads - 1
 * of a pool of our own, idle ones asleep); 1 runs every kernel on the calling thread. Results
 * do not depend on it: every output element, and every read-out sum, is computed by one thread
 * in the same order whatever the count. Default 1; 1 <= threads <= 1024. */
int rp_set_num_threads(int threads);
int rp_get_num_threads(void);

/* ---- bf16 storage (cached activations kept in half the memory) ------------------------ */

/* out[i] = x[i] rounded to bfloat16, stored as its 16 bits (the upper half of the float32):
 * round to nearest, ties to even (as torch's .to(torch.bfloat16)); infinities stay infinite, a
 * NaN stays a (quiet) NaN, a finite value beyond bf16's range rounds to infinity. */
int rp_f32_to_bf16_cpu(const float *x, uint16_t *out, int64_t n);
/* out[i] = the float32 whose upper 16 bits are x[i] and lower 16 bits zero (exact). */
int rp_bf16_to_f32_cpu(const uint16_t *x, float *out, int64_t n);

/* ---- elementwise ---------------------------------------------------------------------- */

/* y[i] = max(x[i], 0) for i < n; NaN stays NaN (as torch.relu). x == y allowed. */
int rp_relu_cpu(const float *x, float *y, int64_t n);
/* y[i] = x[i] * Phi(x[i]) (exact GELU with erf, as torch.nn.GELU()). x == y allowed. */
int rp_gelu_cpu(const float *x, float *y, int64_t n);
/* y[i] = a[i] + b[i]. y may alias a or b. */
int rp_add_cpu(const float *a, const float *b, float *y, int64_t n);

/* Per-channel affine over x [n, c, hw]: y = x * scale[ch] + shift[ch], then max(.,0) if relu.
 * scale == NULL means 1, shift == NULL means 0. Covers BatchNorm inference (after folding
 * running statistics into scale/shift), conv bias (hw = H*W) and linear bias (n = rows, hw = 1).
 * x == y allowed. */
int rp_channel_affine_cpu(const float *x, float *y, const float *scale, const float *shift,
                          int64_t n, int64_t c, int64_t hw, int relu);

/* ---- normalization -------------------------------------------------------------------- */

/* LayerNorm over the last dimension of x [rows, cols]:
 * y = (x - mean) / sqrt(var + eps) * gamma + beta, var the biased variance; gamma, beta [cols],
 * gamma == NULL means 1 and beta == NULL means 0 (elementwise_affine=False). eps >= 0.
 * x == y allowed. */
int rp_layernorm_cpu(const float *x, float *y, const float *gamma, const float *beta,
                     int64_t rows, int64_t cols, float eps);
/* Softmax over the last dimension of x [rows, cols], numerically stable (max subtracted).
 * x == y allowed. */
int rp_softmax_cpu(const float *x, float *y, int64_t rows, int64_t cols);

/* ---- pooling (NCHW; out size = floor((in + 2*pad - k) / stride) + 1) ------------------- */
/* As torch (floor mode): h, w, k, stride >= 1, 0 <= pad <= k / 2, k <= in + 2*pad, and oh, ow
 * must equal the formula. Every window then holds at least one real input element. */

/* Max pooling; padded positions never win (as torch's -inf padding). x [n,c,h,w] -> y [n,c,oh,ow]. */
int rp_max_pool2d_cpu(const float *x, float *y, int64_t n, int64_t c, int64_t h, int64_t w,
                      int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t ph, int64_t pw,
                      int64_t oh, int64_t ow);
/* Average pooling with count_include_pad = true (torch's default). */
int rp_avg_pool2d_cpu(const float *x, float *y, int64_t n, int64_t c, int64_t h, int64_t w,
                      int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t ph, int64_t pw,
                      int64_t oh, int64_t ow);
/* Adaptive average pooling as torch: window of output i is [floor(i*in/out), ceil((i+1)*in/out)).
 * h, w, oh, ow >= 1; oh > h (upsampling) is allowed. */
int rp_adaptive_avg_pool2d_cpu(const float *x, float *y, int64_t n, int64_t c, int64_t h, int64_t w,
                               int64_t oh, int64_t ow);

/* ---- vision transformer layout (outputs must not alias inputs) ------------------------ */

/* Patch grid to tokens: patches [b, d, g] (conv_proj output, g = grid h*w) ->
 * tokens [b, 1 + g, d] with tokens[:,0,:] = cls[d] and tokens[:,1+j,:] = patches[:,:,j],
 * then tokens[i] += pos[(1 + g), d] for every batch element. */
int rp_vit_embed_cpu(const float *patches, const float *cls, const float *pos, float *tokens,
                     int64_t b, int64_t d, int64_t g);
/* Packed in-projection output qkv [b, n, 3, h, dh] -> q, k, v each [b, h, n, dh], stored
 * one after the other in out [3, b, h, n, dh]. */
int rp_split_heads_cpu(const float *qkv, float *out, int64_t b, int64_t n, int64_t h, int64_t dh);
/* Per-head attention output x [b, h, n, dh] -> y [b, n, h * dh]. */
int rp_merge_heads_cpu(const float *x, float *y, int64_t b, int64_t h, int64_t n, int64_t dh);
/* Token selection: x [b, n, d] -> y [b, d] = x[:, index, :], with 0 <= index < n. */
int rp_select_token_cpu(const float *x, float *y, int64_t b, int64_t n, int64_t d, int64_t index);

/* ---- LRP stages ------------------------------------------------------------------------- */
/* A tensor with a feature axis is viewed as [outer, c, inner]: a convolution's [n, c, h, w] is
 * outer = n, inner = h*w; a dense layer's [..., c] is outer = the product of the leading dims,
 * inner = 1. "Stacked" tensors hold k blocks along the feature axis: [outer, k*c, inner].
 * stab(d) = d + eps * sgn(d) with sgn(0) = +1. */

/* Fields of one signal in the specs array (doubles, RP_LRP_SIGNAL_FIELDS per signal). */
#define RP_LRP_SIGNAL_FIELDS 9
enum rp_lrp_signal_field {
    RP_SIG_COEFFICIENT = 0, /* c */
    RP_SIG_MASK = 1,        /* 0 all outputs, 1 only z > 0, -1 only z < 0 */
    RP_SIG_CZ = 2, RP_SIG_CU = 3, RP_SIG_CB = 4, RP_SIG_CBP = 5, RP_SIG_CBN = 6, RP_SIG_COFFSET = 7,
    RP_SIG_EPSILON = 8      /* >= 0 */
};
#define RP_LRP_MAX_SIGNALS 8

/* The signals of an LRP rule, stacked: for signal t of k,
 *   den_t = cz*z + cu*u + cb*b + cbp*max(b,0) + cbn*min(b,0) + coffset*offset
 *   s[:, t*c + ch, :] = c_t * mask_t(z) * r / stab(den_t, eps_t)    (0 where the mask is off)
 * r, z, u, offset: [outer, c, inner]; bias b: [c]; s: [outer, k*c, inner]. bias NULL means 0;
 * u (offset) may be NULL only if no signal has cu (coffset) != 0.
 * Read-outs of r in the same pass, each NULL to skip: outer is split into outer/group
 * consecutive groups and sums[g, ch] = sum of r over the group's rows and inner,
 * abs_sums[g, ch] the same of |r| ([outer/group, c]; group must divide outer). */
int rp_lrp_signals_cpu(const float *r, const float *z, const float *u, const float *bias,
                       const float *offset, const double *specs, int64_t k, int64_t outer,
                       int64_t c, int64_t inner, float *s, int64_t group, float *sums,
                       float *abs_sums);

/* Factors of the combine terms (terms array: RP_LRP_TERM_FIELDS doubles per term). */
#define RP_LRP_TERM_FIELDS 2
enum rp_lrp_factor { RP_FACTOR_X = 0, RP_FACTOR_X_POS = 1, RP_FACTOR_X_NEG = 2, RP_FACTOR_CONSTANT = 3, RP_FACTOR_X_PLUS = 4 };

/* out = sum_t f_t * g[:, t*c:(t+1)*c, :] over the k stacked blocks of g [outer, k*c, inner],
 * with f_t = x, max(x,0), min(x,0), a constant, or x + the constant (terms[t] = {factor,
 * constant}); x, out:
 * [outer, c, inner] (x may be NULL if every factor is a constant). */
int rp_lrp_combine_cpu(const float *g, const float *x, const double *terms, int64_t k,
                       int64_t outer, int64_t c, int64_t inner, float *out);

/* out = num / stab(den, eps), elementwise over n; when x is not NULL, out = x * num / stab(den). */
int rp_lrp_ratio_cpu(const float *num, const float *den, const float *x, float *out, int64_t n,
                     double eps);

/* Max pooling's winner-takes-all rule: out [n, c, h, w] (fully written) receives each output
 * relevance r [n, c, oh, ow] at the winner of its window in x [n, c, h, w] (the first maximum
 * in row-major window order, NaN winning, as torch's max_pool2d indices), summed where windows
 * share a winner. Geometry as rp_max_pool2d_cpu. */
int rp_lrp_max_pool2d_winners_cpu(const float *x, const float *r, float *out, int64_t n, int64_t c,
                                  int64_t h, int64_t w, int64_t kh, int64_t kw, int64_t sh,
                                  int64_t sw, int64_t ph, int64_t pw, int64_t oh, int64_t ow);

/* Adjoint of average pooling (count_include_pad, geometry as rp_avg_pool2d_cpu): g [n, c, oh, ow]
 * -> out [n, c, h, w], out[x] = sum over the windows containing x of g / (kh*kw). Adjoint of
 * adaptive average pooling (windows as rp_adaptive_avg_pool2d_cpu): out[x] = sum over the windows
 * containing x of g / (window area). Both gather, windows in ascending order. */
int rp_avg_pool2d_adjoint_cpu(const float *g, float *out, int64_t n, int64_t c, int64_t h, int64_t w,
                              int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t ph, int64_t pw,
                              int64_t oh, int64_t ow);
int rp_adaptive_avg_pool2d_adjoint_cpu(const float *g, float *out, int64_t n, int64_t c, int64_t h,
                                       int64_t w, int64_t oh, int64_t ow);

/* x [outer, c, inner] -> out [outer, 2c, inner]: max(x, 0) in the first c features, min(x, 0)
 * in the next c (the signed-input terms of the rules). */
int rp_split_signs_cpu(const float *x, float *out, int64_t outer, int64_t c, int64_t inner);
/* Read-outs of x [outer, c, inner] without the signals: sums[g, ch] of x over each run of group
 * rows and inner, abs_sums of |x| (each NULL to skip), as rp_lrp_signals_cpu's. */
int rp_feature_sums_cpu(const float *x, int64_t outer, int64_t c, int64_t inner, int64_t group,
                        float *sums, float *abs_sums);
/* *result = 1 if some element of x [n] is negative or NaN, else 0 (result: one int, written in
 * the kernel's own memory space: host for _cpu, device for _cuda). */
int rp_any_negative_cpu(const float *x, int64_t n, int *result);

/* Vision-transformer steps. LayerNorm with sigma held constant: scale [rows, cols] = gamma /
 * sqrt(var(x row) + eps) (gamma NULL means ones), then out = v - mean(v) per row with v = g * scale.
 * The softmax's adjoint: out = a * (ga - sum_j a_j ga_j) per row. Layouts, each the inverse of a
 * forward one: x [b, n, h*dh] -> y [b, h, n, dh] (of merge_heads); parts [3, b, h, n, dh] -> qkv
 * [b, n, 3, h, dh] (of split_heads); tokens [b, 1+g, d] -> grid [b, d, g], class token dropped. */
int rp_layernorm_scale_cpu(const float *x, const float *gamma, float *scale, int64_t rows, int64_t cols,
                           float eps);
int rp_layernorm_adjoint_cpu(const float *g, const float *scale, float *out, int64_t rows, int64_t cols);
int rp_softmax_adjoint_cpu(const float *a, const float *ga, float *out, int64_t rows, int64_t cols);
int rp_unmerge_heads_cpu(const float *x, float *y, int64_t b, int64_t h, int64_t n, int64_t dh);
int rp_merge_qkv_cpu(const float *parts, float *qkv, int64_t b, int64_t n, int64_t h, int64_t dh);
int rp_tokens_to_grid_cpu(const float *tokens, float *grid, int64_t b, int64_t d, int64_t g);

/* ---- Structured masks -------------------------------------------------------------------- */
/* Several masks of one layer applied at once (a batched pruning curve: the input repeats the
 * same images once per mask): x, y [groups * batch, c, inner] (y may be x),
 * mask [groups, c] (0 removes a channel, 1 keeps it; any factor works),
 * y[g*batch + i, ch, :] = mask[g, ch] * x[g*batch + i, ch, :]. */
int rp_channel_mask_cpu(const float *x, float *y, const float *mask, int64_t groups, int64_t batch,
                        int64_t c, int64_t inner);

/* ---- Feature gathers (a pruned layer's kept channels, and back to the full width) ---------- */
/* y [outer, c_out, inner] from x [outer, c_in, inner]: y[o, j, i] = x[o, index[j], i] where
 * index[j] >= 0, and 0 where index[j] == -1. index [c_out], each in [-1, c_in). Gathers kept
 * features (c_out <= c_in) and scatters them back among zeros (c_out > c_in) alike. y must not
 * alias x. */
int rp_gather_features_cpu(const float *x, float *y, const int64_t *index, int64_t outer, int64_t c_in,
                           int64_t c_out, int64_t inner);

/* ---- CUDA twins (same arguments + stream). Return RP_ERR_NO_CUDA in a build without nvcc. */
int rp_f32_to_bf16_cuda(const float *x, uint16_t *out, int64_t n, void *stream);
int rp_bf16_to_f32_cuda(const uint16_t *x, float *out, int64_t n, void *stream);
/* These live in librelprune_cuda, which needs librelprune_native beside it.                */

/* 1 when this build contains the CUDA kernels, else 0 (the stub library). */
int rp_has_cuda_kernels(void);
/* Number of visible CUDA devices. A CUDA build on a machine without any device gives
 * *count = 0 and RP_OK; on every failure *count is 0. */
int rp_cuda_device_count(int *count);
/* Blocks until all work on the stream is done; reports asynchronous kernel errors. */
int rp_cuda_synchronize(void *stream);

int rp_relu_cuda(const float *x, float *y, int64_t n, void *stream);
int rp_gelu_cuda(const float *x, float *y, int64_t n, void *stream);
int rp_add_cuda(const float *a, const float *b, float *y, int64_t n, void *stream);
int rp_channel_affine_cuda(const float *x, float *y, const float *scale, const float *shift,
                           int64_t n, int64_t c, int64_t hw, int relu, void *stream);
int rp_layernorm_cuda(const float *x, float *y, const float *gamma, const float *beta,
                      int64_t rows, int64_t cols, float eps, void *stream);
int rp_softmax_cuda(const float *x, float *y, int64_t rows, int64_t cols, void *stream);
int rp_max_pool2d_cuda(const float *x, float *y, int64_t n, int64_t c, int64_t h, int64_t w,
                       int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t ph, int64_t pw,
                       int64_t oh, int64_t ow, void *stream);
int rp_avg_pool2d_cuda(const float *x, float *y, int64_t n, int64_t c, int64_t h, int64_t w,
                       int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t ph, int64_t pw,
                       int64_t oh, int64_t ow, void *stream);
int rp_adaptive_avg_pool2d_cuda(const float *x, float *y, int64_t n, int64_t c, int64_t h, int64_t w,
                                int64_t oh, int64_t ow, void *stream);
int rp_vit_embed_cuda(const float *patches, const float *cls, const float *pos, float *tokens,
                      int64_t b, int64_t d, int64_t g, void *stream);
int rp_split_heads_cuda(const float *qkv, float *out, int64_t b, int64_t n, int64_t h, int64_t dh,
                        void *stream);
int rp_merge_heads_cuda(const float *x, float *y, int64_t b, int64_t h, int64_t n, int64_t dh,
                        void *stream);
int rp_select_token_cuda(const float *x, float *y, int64_t b, int64_t n, int64_t d, int64_t index,
                         void *stream);
/* LRP stages and structured masks: specs and terms stay host arrays, every tensor is on the device. */
int rp_lrp_signals_cuda(const float *r, const float *z, const float *u, const float *bias,
                        const float *offset, const double *specs, int64_t k, int64_t outer,
                        int64_t c, int64_t inner, float *s, int64_t group, float *sums,
                        float *abs_sums, void *stream);
int rp_lrp_combine_cuda(const float *g, const float *x, const double *terms, int64_t k,
                        int64_t outer, int64_t c, int64_t inner, float *out, void *stream);
int rp_lrp_ratio_cuda(const float *num, const float *den, const float *x, float *out, int64_t n,
                      double eps, void *stream);
int rp_lrp_max_pool2d_winners_cuda(const float *x, const float *r, float *out, int64_t n, int64_t c,
                                   int64_t h, int64_t w, int64_t kh, int64_t kw, int64_t sh,
                                   int64_t sw, int64_t ph, int64_t pw, int64_t oh, int64_t ow,
                                   void *stream);
/* index is a device array. */
int rp_gather_features_cuda(const float *x, float *y, const int64_t *index, int64_t outer, int64_t c_in,
                            int64_t c_out, int64_t inner, void *stream);
int rp_channel_mask_cuda(const float *x, float *y, const float *mask, int64_t groups, int64_t batch,
                         int64_t c, int64_t inner, void *stream);
int rp_avg_pool2d_adjoint_cuda(const float *g, float *out, int64_t n, int64_t c, int64_t h, int64_t w,
                               int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t ph, int64_t pw,
                               int64_t oh, int64_t ow, void *stream);
int rp_adaptive_avg_pool2d_adjoint_cuda(const float *g, float *out, int64_t n, int64_t c, int64_t h,
                                        int64_t w, int64_t oh, int64_t ow, void *stream);
int rp_split_signs_cuda(const float *x, float *out, int64_t outer, int64_t c, int64_t inner, void *stream);
int rp_feature_sums_cuda(const float *x, int64_t outer, int64_t c, int64_t inner, int64_t group,
                         float *sums, float *abs_sums, void *stream);
int rp_any_negative_cuda(const float *x, int64_t n, int *result, void *stream);
int rp_layernorm_scale_cuda(const float *x, const float *gamma, float *scale, int64_t rows, int64_t cols,
                            float eps, void *stream);
int rp_layernorm_adjoint_cuda(const float *g, const float *scale, float *out, int64_t rows, int64_t cols,
                              void *stream);
int rp_softmax_adjoint_cuda(const float *a, const float *ga, float *out, int64_t rows, int64_t cols,
                            void *stream);
int rp_unmerge_heads_cuda(const float *x, float *y, int64_t b, int64_t h, int64_t n, int64_t dh, void *stream);
int rp_merge_qkv_cuda(const float *parts, float *qkv, int64_t b, int64_t n, int64_t h, int64_t dh, void *stream);
int rp_tokens_to_grid_cuda(const float *tokens, float *grid, int64_t b, int64_t d, int64_t g, void *stream);

#ifdef __cplusplus
}
#endif

#endif /* RELPRUNE_H */
