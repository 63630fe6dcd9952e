package org.relprune.backend.jni;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JavaCPP binding of the CPU half of {@code native/include/relprune.h} (library relprune_native).
 * Raw: every function returns an rp_status; {@link NativeStatus#check} turns it into an exception.
 * Only the backend package calls this.
 */
@Platform(include = "relprune.h", link = "relprune_native")
public final class NativeKernels {
    static {
        NativeCache.configure(); // this build's own extraction folder, before JavaCPP picks its cache
        Loader.load();
    }

    private NativeKernels() {
    }

    public static void load() {
        // Class initialization loads the libraries.
    }

    public static native @Cast("const char*") BytePointer rp_status_name(int status);
    public static native @Cast("const char*") BytePointer rp_last_error();
    public static native @Cast("const char*") BytePointer rp_version();
    public static native int rp_tune_host_allocator(@Cast("int64_t") long mmapThreshold, @Cast("int64_t") long trimThreshold, @Cast("int64_t") long topPad, IntPointer applied);
    public static native int rp_quiet_idle_threads(IntPointer set);
    public static native int rp_set_num_threads(int threads);
    public static native int rp_get_num_threads();
    public static native int rp_gather_features_cpu(@Cast("const float*") Pointer x, @Cast("float*") Pointer y, @Cast("const int64_t*") Pointer index, @Cast("int64_t") long outer, @Cast("int64_t") long cIn, @Cast("int64_t") long cOut, @Cast("int64_t") long inner);
    public static native int rp_relu_cpu(@Cast("const float*") Pointer x, @Cast("float*") Pointer y, @Cast("int64_t") long n);
    public static native int rp_gelu_cpu(@Cast("const float*") Pointer x, @Cast("float*") Pointer y, @Cast("int64_t") long n);
    public static native int rp_add_cpu(@Cast("const float*") Pointer a, @Cast("const float*") Pointer b, @Cast("float*") Pointer y, @Cast("int64_t") long n);
    public static native int rp_f32_to_bf16_cpu(@Cast("const float*") Pointer x, @Cast("uint16_t*") Pointer out, @Cast("int64_t") long n);
    public static native int rp_bf16_to_f32_cpu(@Cast("const uint16_t*") Pointer x, @Cast("float*") Pointer out, @Cast("int64_t") long n);
    public static native int rp_channel_affine_cpu(@Cast("const float*") Pointer x, @Cast("float*") Pointer y, @Cast("const float*") Pointer scale, @Cast("const float*") Pointer shift, @Cast("int64_t") long n, @Cast("int64_t") long c, @Cast("int64_t") long hw, int relu);
    public static native int rp_layernorm_cpu(@Cast("const float*") Pointer x, @Cast("float*") Pointer y, @Cast("const float*") Pointer gamma, @Cast("const float*") Pointer beta, @Cast("int64_t") long rows, @Cast("int64_t") long cols, float eps);
    public static native int rp_softmax_cpu(@Cast("const float*") Pointer x, @Cast("float*") Pointer y, @Cast("int64_t") long rows, @Cast("int64_t") long cols);
    public static native int rp_max_pool2d_cpu(@Cast("const float*") Pointer x, @Cast("float*") Pointer y, @Cast("int64_t") long n, @Cast("int64_t") long c, @Cast("int64_t") long h, @Cast("int64_t") long w, @Cast("int64_t") long kh, @Cast("int64_t") long kw, @Cast("int64_t") long sh, @Cast("int64_t") long sw, @Cast("int64_t") long ph, @Cast("int64_t") long pw, @Cast("int64_t") long oh, @Cast("int64_t") long ow);
    public static native int rp_avg_pool2d_cpu(@Cast("const float*") Pointer x, @Cast("float*") Pointer y, @Cast("int64_t") long n, @Cast("int64_t") long c, @Cast("int64_t") long h, @Cast("int64_t") long w, @Cast("int64_t") long kh, @Cast("int64_t") long kw, @Cast("int64_t") long sh, @Cast("int64_t") long sw, @Cast("int64_t") long ph, @Cast("int64_t") long pw, @Cast("int64_t") long oh, @Cast("int64_t") long ow);
    public static native int rp_adaptive_avg_pool2d_cpu(@Cast("const float*") Pointer x, @Cast("float*") Pointer y, @Cast("int64_t") long n, @Cast("int64_t") long c, @Cast("int64_t") long h, @Cast("int64_t") long w, @Cast("int64_t") long oh, @Cast("int64_t") long ow);
    public static native int rp_vit_embed_cpu(@Cast("const float*") Pointer patches, @Cast("const float*") Pointer cls, @Cast("const float*") Pointer pos, @Cast("float*") Pointer tokens, @Cast("int64_t") long b, @Cast("int64_t") long d, @Cast("int64_t") long g);
    public static native int rp_split_heads_cpu(@Cast("const float*") Pointer qkv, @Cast("float*") Pointer out, @Cast("int64_t") long b, @Cast("int64_t") long n, @Cast("int64_t") long h, @Cast("int64_t") long dh);
    public static native int rp_merge_heads_cpu(@Cast("const float*") Pointer x, @Cast("float*") Pointer y, @Cast("int64_t") long b, @Cast("int64_t") long h, @Cast("int64_t") long n, @Cast("int64_t") long dh);
    public static native int rp_select_token_cpu(@Cast("const float*") Pointer x, @Cast("float*") Pointer y, @Cast("int64_t") long b, @Cast("int64_t") long n, @Cast("int64_t") long d, @Cast("int64_t") long index);
    public static native int rp_lrp_signals_cpu(@Cast("const float*") Pointer r, @Cast("const float*") Pointer z, @Cast("const float*") Pointer u, @Cast("const float*") Pointer bias, @Cast("const float*") Pointer offset, @Cast("const double*") DoublePointer specs, @Cast("int64_t") long k, @Cast("int64_t") long outer, @Cast("int64_t") long c, @Cast("int64_t") long inner, @Cast("float*") Pointer s, @Cast("int64_t") long group, @Cast("float*") Pointer sums, @Cast("float*") Pointer absSums);
    public static native int rp_lrp_combine_cpu(@Cast("const float*") Pointer g, @Cast("const float*") Pointer x, @Cast("const double*") DoublePointer terms, @Cast("int64_t") long k, @Cast("int64_t") long outer, @Cast("int64_t") long c, @Cast("int64_t") long inner, @Cast("float*") Pointer out);
    public static native int rp_lrp_ratio_cpu(@Cast("const float*") Pointer num, @Cast("const float*") Pointer den, @Cast("const float*") Pointer x, @Cast("float*") Pointer out, @Cast("int64_t") long n, double eps);
    public static native int rp_lrp_max_pool2d_winners_cpu(@Cast("const float*") Pointer x, @Cast("const float*") Pointer r, @Cast("float*") Pointer out, @Cast("int64_t") long n, @Cast("int64_t") long c, @Cast("int64_t") long h, @Cast("int64_t") long w, @Cast("int64_t") long kh, @Cast("int64_t") long kw, @Cast("int64_t") long sh, @Cast("int64_t") long sw, @Cast("int64_t") long ph, @Cast("int64_t") long pw, @Cast("int64_t") long oh, @Cast("int64_t") long ow);
    public static native int rp_channel_mask_cpu(@Cast("const float*") Pointer x, @Cast("float*") Pointer y, @Cast("const float*") Pointer mask, @Cast("int64_t") long groups, @Cast("int64_t") long batch, @Cast("int64_t") long c, @Cast("int64_t") long inner);
    public static native int rp_avg_pool2d_adjoint_cpu(@Cast("const float*") Pointer g, @Cast("float*") Pointer out, @Cast("int64_t") long n, @Cast("int64_t") long c, @Cast("int64_t") long h, @Cast("int64_t") long w, @Cast("int64_t") long kh, @Cast("int64_t") long kw, @Cast("int64_t") long sh, @Cast("int64_t") long sw, @Cast("int64_t") long ph, @Cast("int64_t") long pw, @Cast("int64_t") long oh, @Cast("int64_t") long ow);
    public static native int rp_adaptive_avg_pool2d_adjoint_cpu(@Cast("const float*") Pointer g, @Cast("float*") Pointer out, @Cast("int64_t") long n, @Cast("int64_t") long c, @Cast("int64_t") long h, @Cast("int64_t") long w, @Cast("int64_t") long oh, @Cast("int64_t") long ow);
    public static native int rp_split_signs_cpu(@Cast("const float*") Pointer x, @Cast("float*") Pointer out, @Cast("int64_t") long outer, @Cast("int64_t") long c, @Cast("int64_t") long inner);
    public static native int rp_feature_sums_cpu(@Cast("const float*") Pointer x, @Cast("int64_t") long outer, @Cast("int64_t") long c, @Cast("int64_t") long inner, @Cast("int64_t") long group, @Cast("float*") Pointer sums, @Cast("float*") Pointer absSums);
    public static native int rp_any_negative_cpu(@Cast("const float*") Pointer x, @Cast("int64_t") long n, IntPointer result);
    public static native int rp_layernorm_scale_cpu(@Cast("const float*") Pointer x, @Cast("const float*") Pointer gamma, @Cast("float*") Pointer scale, @Cast("int64_t") long rows, @Cast("int64_t") long cols, float eps);
    public static native int rp_layernorm_adjoint_cpu(@Cast("const float*") Pointer g, @Cast("const float*") Pointer scale, @Cast("float*") Pointer out, @Cast("int64_t") long rows, @Cast("int64_t") long cols);
    public static native int rp_softmax_adjoint_cpu(@Cast("const float*") Pointer a, @Cast("const float*") Pointer ga, @Cast("float*") Pointer out, @Cast("int64_t") long rows, @Cast("int64_t") long cols);
    public static native int rp_unmerge_heads_cpu(@Cast("const float*") Pointer x, @Cast("float*") Pointer y, @Cast("int64_t") long b, @Cast("int64_t") long h, @Cast("int64_t") long n, @Cast("int64_t") long dh);
    public static native int rp_merge_qkv_cpu(@Cast("const float*") Pointer parts, @Cast("float*") Pointer qkv, @Cast("int64_t") long b, @Cast("int64_t") long n, @Cast("int64_t") long h, @Cast("int64_t") long dh);
    public static native int rp_tokens_to_grid_cpu(@Cast("const float*") Pointer tokens, @Cast("float*") Pointer grid, @Cast("int64_t") long b, @Cast("int64_t") long d, @Cast("int64_t") long g);
}
