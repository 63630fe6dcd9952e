package org.relprune.backend.jni;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JavaCPP binding of the CUDA half of {@code native/include/relprune.h} (library relprune_cuda,
 * which needs libcudart.so.13 at load time). Loading it on a machine without CUDA throws
 * {@link UnsatisfiedLinkError}; the CUDA backend reports that as "CUDA backend unavailable".
 * The stream argument is a cudaStream_t; null means the default stream.
 */
@Platform(include = "relprune.h", link = {"relprune_cuda", "relprune_native"})
public final class NativeCudaKernels {
    static {
        NativeCache.configure(); // this build's own extraction folder, before JavaCPP picks its cache
        Loader.load();
    }

    private NativeCudaKernels() {
    }

    public static void load() {
        // Class initialization loads the libraries.
    }

    public static native int rp_has_cuda_kernels();
    public static native int rp_cuda_device_count(IntPointer count);
    public static native int rp_cuda_synchronize(Pointer stream);
    public static native int rp_relu_cuda(@Cast("const float*") Pointer x, @Cast("float*") Pointer y, @Cast("int64_t") long n, Pointer stream);
    public static native int rp_gelu_cuda(@Cast("const float*") Pointer x, @Cast("float*") Pointer y, @Cast("int64_t") long n, Pointer stream);
    public static native int rp_add_cuda(@Cast("const float*") Pointer a, @Cast("const float*") Pointer b, @Cast("float*") Pointer y, @Cast("int64_t") long n, Pointer stream);
    public static native int rp_channel_affine_cuda(@Cast("const float*") Pointer x, @Cast("float*") Pointer y, @Cast("const float*") Pointer scale, @Cast("const float*") Pointer shift, @Cast("int64_t") long n, @Cast("int64_t") long c, @Cast("int64_t") long hw, int relu, Pointer stream);
    public static native int rp_layernorm_cuda(@Cast("const float*") Pointer x, @Cast("float*") Pointer y, @Cast("const float*") Pointer gamma, @Cast("const float*") Pointer beta, @Cast("int64_t") long rows, @Cast("int64_t") long cols, float eps, Pointer stream);
    public static native int rp_softmax_cuda(@Cast("const float*") Pointer x, @Cast("float*") Pointer y, @Cast("int64_t") long rows, @Cast("int64_t") long cols, Pointer stream);
    public static native int rp_max_pool2d_cuda(@Cast("const float*") Pointer x, @Cast("float*") Pointer y, @Cast("int64_t") long n, @Cast("int64_t") long c, @Cast("int64_t") long h, @Cast("int64_t") long w, @Cast("int64_t") long kh, @Cast("int64_t") long kw, @Cast("int64_t") long sh, @Cast("int64_t") long sw, @Cast("int64_t") long ph, @Cast("int64_t") long pw, @Cast("int64_t") long oh, @Cast("int64_t") long ow, Pointer stream);
    public static native int rp_avg_pool2d_cuda(@Cast("const float*") Pointer x, @Cast("float*") Pointer y, @Cast("int64_t") long n, @Cast("int64_t") long c, @Cast("int64_t") long h, @Cast("int64_t") long w, @Cast("int64_t") long kh, @Cast("int64_t") long kw, @Cast("int64_t") long sh, @Cast("int64_t") long sw, @Cast("int64_t") long ph, @Cast("int64_t") long pw, @Cast("int64_t") long oh, @Cast("int64_t") long ow, Pointer stream);
    public static native int rp_adaptive_avg_pool2d_cuda(@Cast("const float*") Pointer x, @Cast("float*") Pointer y, @Cast("int64_t") long n, @Cast("int64_t") long c, @Cast("int64_t") long h, @Cast("int64_t") long w, @Cast("int64_t") long oh, @Cast("int64_t") long ow, Pointer stream);
    public static native int rp_vit_embed_cuda(@Cast("const float*") Pointer patches, @Cast("const float*") Pointer cls, @Cast("const float*") Pointer pos, @Cast("float*") Pointer tokens, @Cast("int64_t") long b, @Cast("int64_t") long d, @Cast("int64_t") long g, Pointer stream);
    public static native int rp_split_heads_cuda(@Cast("const float*") Pointer qkv, @Cast("float*") Pointer out, @Cast("int64_t") long b, @Cast("int64_t") long n, @Cast("int64_t") long h, @Cast("int64_t") long dh, Pointer stream);
    public static native int rp_merge_heads_cuda(@Cast("const float*") Pointer x, @Cast("float*") Pointer y, @Cast("int64_t") long b, @Cast("int64_t") long h, @Cast("int64_t") long n, @Cast("int64_t") long dh, Pointer stream);
    public static native int rp_select_token_cuda(@Cast("const float*") Pointer x, @Cast("float*") Pointer y, @Cast("int64_t") long b, @Cast("int64_t") long n, @Cast("int64_t") long d, @Cast("int64_t") long index, Pointer stream);
    public static native int rp_lrp_signals_cuda(@Cast("const float*") Pointer r, @Cast("const float*") Pointer z, @Cast("const float*") Pointer u, @Cast("const float*") Pointer bias, @Cast("const float*") Pointer offset, @Cast("const double*") DoublePointer specs, @Cast("int64_t") long k, @Cast("int64_t") long outer, @Cast("int64_t") long c, @Cast("int64_t") long inner, @Cast("float*") Pointer s, @Cast("int64_t") long group, @Cast("float*") Pointer sums, @Cast("float*") Pointer absSums, Pointer stream);
    public static native int rp_lrp_combine_cuda(@Cast("const float*") Pointer g, @Cast("const float*") Pointer x, @Cast("const double*") DoublePointer terms, @Cast("int64_t") long k, @Cast("int64_t") long outer, @Cast("int64_t") long c, @Cast("int64_t") long inner, @Cast("float*") Pointer out, Pointer stream);
    public static native int rp_lrp_ratio_cuda(@Cast("const float*") Pointer num, @Cast("const float*") Pointer den, @Cast("const float*") Pointer x, @Cast("float*") Pointer out, @Cast("int64_t") long n, double eps, Pointer stream);
    public static native int rp_lrp_max_pool2d_winners_cuda(@Cast("const float*") Pointer x, @Cast("const float*") Pointer r, @Cast("float*") Pointer out, @Cast("int64_t") long n, @Cast("int64_t") long c, @Cast("int64_t") long h, @Cast("int64_t") long w, @Cast("int64_t") long kh, @Cast("int64_t") long kw, @Cast("int64_t") long sh, @Cast("int64_t") long sw, @Cast("int64_t") long ph, @Cast("int64_t") long pw, @Cast("int64_t") long oh, @Cast("int64_t") long ow, Pointer stream);
    public static native int rp_gather_features_cuda(@Cast("const float*") Pointer x, @Cast("float*") Pointer y, @Cast("const int64_t*") Pointer index, @Cast("int64_t") long outer, @Cast("int64_t") long cIn, @Cast("int64_t") long cOut, @Cast("int64_t") long inner, Pointer stream);
    public static native int rp_channel_mask_cuda(@Cast("const float*") Pointer x, @Cast("float*") Pointer y, @Cast("const float*") Pointer mask, @Cast("int64_t") long groups, @Cast("int64_t") long batch, @Cast("int64_t") long c, @Cast("int64_t") long inner, Pointer stream);
    public static native int rp_avg_pool2d_adjoint_cuda(@Cast("const float*") Pointer g, @Cast("float*") Pointer out, @Cast("int64_t") long n, @Cast("int64_t") long c, @Cast("int64_t") long h, @Cast("int64_t") long w, @Cast("int64_t") long kh, @Cast("int64_t") long kw, @Cast("int64_t") long sh, @Cast("int64_t") long sw, @Cast("int64_t") long ph, @Cast("int64_t") long pw, @Cast("int64_t") long oh, @Cast("int64_t") long ow, Pointer stream);
    public static native int rp_adaptive_avg_pool2d_adjoint_cuda(@Cast("const float*") Pointer g, @Cast("float*") Pointer out, @Cast("int64_t") long n, @Cast("int64_t") long c, @Cast("int64_t") long h, @Cast("int64_t") long w, @Cast("int64_t") long oh, @Cast("int64_t") long ow, Pointer stream);
    public static native int rp_f32_to_bf16_cuda(@Cast("const float*") Pointer x, @Cast("uint16_t*") Pointer out, @Cast("int64_t") long n, Pointer stream);
    public static native int rp_bf16_to_f32_cuda(@Cast("const uint16_t*") Pointer x, @Cast("float*") Pointer out, @Cast("int64_t") long n, Pointer stream);
    public static native int rp_split_signs_cuda(@Cast("const float*") Pointer x, @Cast("float*") Pointer out, @Cast("int64_t") long outer, @Cast("int64_t") long c, @Cast("int64_t") long inner, Pointer stream);
    public static native int rp_feature_sums_cuda(@Cast("const float*") Pointer x, @Cast("int64_t") long outer, @Cast("int64_t") long c, @Cast("int64_t") long inner, @Cast("int64_t") long group, @Cast("float*") Pointer sums, @Cast("float*") Pointer absSums, Pointer stream);
    public static native int rp_any_negative_cuda(@Cast("const float*") Pointer x, @Cast("int64_t") long n, @Cast("int*") Pointer result, Pointer stream);
    public static native int rp_layernorm_scale_cuda(@Cast("const float*") Pointer x, @Cast("const float*") Pointer gamma, @Cast("float*") Pointer scale, @Cast("int64_t") long rows, @Cast("int64_t") long cols, float eps, Pointer stream);
    public static native int rp_layernorm_adjoint_cuda(@Cast("const float*") Pointer g, @Cast("const float*") Pointer scale, @Cast("float*") Pointer out, @Cast("int64_t") long rows, @Cast("int64_t") long cols, Pointer stream);
    public static native int rp_softmax_adjoint_cuda(@Cast("const float*") Pointer a, @Cast("const float*") Pointer ga, @Cast("float*") Pointer out, @Cast("int64_t") long rows, @Cast("int64_t") long cols, Pointer stream);
    public static native int rp_unmerge_heads_cuda(@Cast("const float*") Pointer x, @Cast("float*") Pointer y, @Cast("int64_t") long b, @Cast("int64_t") long h, @Cast("int64_t") long n, @Cast("int64_t") long dh, Pointer stream);
    public static native int rp_merge_qkv_cuda(@Cast("const float*") Pointer parts, @Cast("float*") Pointer qkv, @Cast("int64_t") long b, @Cast("int64_t") long n, @Cast("int64_t") long h, @Cast("int64_t") long dh, Pointer stream);
    public static native int rp_tokens_to_grid_cuda(@Cast("const float*") Pointer tokens, @Cast("float*") Pointer grid, @Cast("int64_t") long b, @Cast("int64_t") long d, @Cast("int64_t") long g, Pointer stream);
}
