// Built instead of native/src/cuda when no CUDA compiler is available (or RELPRUNE_CUDA=OFF):
// the same ABI, so callers link and load alike, and find out at run time via
// rp_has_cuda_kernels() or RP_ERR_NO_CUDA.
#include "../common/rp_error.h"

static int no_cuda(void) {
    rp_set_error("relprune was built without nvcc: CUDA kernels unavailable");
    return RP_ERR_NO_CUDA;
}

int rp_has_cuda_kernels(void) { return 0; }

int rp_cuda_device_count(int *count) {
    if (count) *count = 0;
    return no_cuda();
}

int rp_cuda_synchronize(void *) { return no_cuda(); }

int rp_relu_cuda(const float *, float *, int64_t, void *) { return no_cuda(); }
int rp_gelu_cuda(const float *, float *, int64_t, void *) { return no_cuda(); }
int rp_add_cuda(const float *, const float *, float *, int64_t, void *) { return no_cuda(); }
int rp_channel_affine_cuda(const float *, float *, const float *, const float *, int64_t, int64_t,
                           int64_t, int, void *) {
    return no_cuda();
}
int rp_layernorm_cuda(const float *, float *, const float *, const float *, int64_t, int64_t, float,
                      void *) {
    return no_cuda();
}
int rp_softmax_cuda(const float *, float *, int64_t, int64_t, void *) { return no_cuda(); }
int rp_max_pool2d_cuda(const float *, float *, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t,
                       int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, void *) {
    return no_cuda();
}
int rp_avg_pool2d_cuda(const float *, float *, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t,
                       int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, void *) {
    return no_cuda();
}
int rp_adaptive_avg_pool2d_cuda(const float *, float *, int64_t, int64_t, int64_t, int64_t, int64_t,
                                int64_t, void *) {
    return no_cuda();
}
int rp_vit_embed_cuda(const float *, const float *, const float *, float *, int64_t, int64_t, int64_t,
                      void *) {
    return no_cuda();
}
int rp_split_heads_cuda(const float *, float *, int64_t, int64_t, int64_t, int64_t, void *) {
    return no_cuda();
}
int rp_merge_heads_cuda(const float *, float *, int64_t, int64_t, int64_t, int64_t, void *) {
    return no_cuda();
}
int rp_select_token_cuda(const float *, float *, int64_t, int64_t, int64_t, int64_t, void *) {
    return no_cuda();
}
int rp_lrp_signals_cuda(const float *, const float *, const float *, const float *, const float *,
                        const double *, int64_t, int64_t, int64_t, int64_t, float *, int64_t, float *,
                        float *, void *) {
    return no_cuda();
}
int rp_lrp_combine_cuda(const float *, const float *, const double *, int64_t, int64_t, int64_t,
                        int64_t, float *, void *) {
    return no_cuda();
}
int rp_lrp_ratio_cuda(const float *, const float *, const float *, float *, int64_t, double, void *) {
    return no_cuda();
}
int rp_lrp_max_pool2d_winners_cuda(const float *, const float *, float *, int64_t, int64_t, int64_t,
                                   int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t,
                                   int64_t, int64_t, void *) {
    return no_cuda();
}
int rp_channel_mask_cuda(const float *, float *, const float *, int64_t, int64_t, int64_t, int64_t,
                         void *) {
    return no_cuda();
}
int rp_gather_features_cuda(const float *, float *, const int64_t *, int64_t, int64_t, int64_t, int64_t,
                            void *) {
    return no_cuda();
}
int rp_avg_pool2d_adjoint_cuda(const float *, float *, int64_t, int64_t, int64_t, int64_t, int64_t,
                               int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, void *) {
    return no_cuda();
}
int rp_adaptive_avg_pool2d_adjoint_cuda(const float *, float *, int64_t, int64_t, int64_t, int64_t,
                                        int64_t, int64_t, void *) {
    return no_cuda();
}
int rp_split_signs_cuda(const float *, float *, int64_t, int64_t, int64_t, void *) { return no_cuda(); }
int rp_feature_sums_cuda(const float *, int64_t, int64_t, int64_t, int64_t, float *, float *, void *) {
    return no_cuda();
}
int rp_any_negative_cuda(const float *, int64_t, int *, void *) { return no_cuda(); }
int rp_f32_to_bf16_cuda(const float *, uint16_t *, int64_t, void *) { return no_cuda(); }
int rp_bf16_to_f32_cuda(const uint16_t *, float *, int64_t, void *) { return no_cuda(); }
int rp_layernorm_scale_cuda(const float *, const float *, float *, int64_t, int64_t, float, void *) { return no_cuda(); }
int rp_layernorm_adjoint_cuda(const float *, const float *, float *, int64_t, int64_t, void *) { return no_cuda(); }
int rp_softmax_adjoint_cuda(const float *, const float *, float *, int64_t, int64_t, void *) { return no_cuda(); }
int rp_unmerge_heads_cuda(const float *, float *, int64_t, int64_t, int64_t, int64_t, void *) { return no_cuda(); }
int rp_merge_qkv_cuda(const float *, float *, int64_t, int64_t, int64_t, int64_t, void *) { return no_cuda(); }
int rp_tokens_to_grid_cuda(const float *, float *, int64_t, int64_t, int64_t, void *) { return no_cuda(); }
