package org.relprune.backend.cuda;

/**
 * Where the CUDA backend may use TF32 tensor cores for fp32 work: convolutions (cuDNN) and
 * matrix products (cuBLAS) separately, because PyTorch's defaults differ between the two
 * ({@code torch.backends.cudnn.allow_tf32 = True}, {@code torch.backends.cuda.matmul.allow_tf32 =
 * False}) and a like-for-like benchmark needs the same split. TF32 rounds the inputs of a
 * product to 10 mantissa bits (about 1e-3 relative error), so correctness checks use
 * {@link #FP32}.
 *
 * @param tf32Convolutions cuDNN may pick tensor-op (TF32) convolution kernels
 * @param tf32MatrixProducts cuBLAS runs fp32 GEMMs in CUBLAS_TF32_TENSOR_OP_MATH
 */
public record CudaPrecision(boolean tf32Convolutions, boolean tf32MatrixProducts) {
    /** Full fp32 everywhere: results match the CPU backend to fp32 rounding. The default. */
    public static final CudaPrecision FP32 = new CudaPrecision(false, false);
    /** PyTorch's defaults: TF32 convolutions, fp32 matrix products. */
    public static final CudaPrecision PYTORCH_DEFAULTS = new CudaPrecision(true, false);
    /** TF32 in both (fastest). */
    public static final CudaPrecision TF32 = new CudaPrecision(true, true);

    /** "fp32", "tf32 convolutions", "tf32 matrix products" or "tf32": for descriptions and provenance. */
    public String describe() {
        if (tf32Convolutions && tf32MatrixProducts) {
            return "tf32";
        }
        if (tf32Convolutions) {
            return "tf32 convolutions, fp32 matrix products";
        }
        if (tf32MatrixProducts) {
            return "fp32 convolutions, tf32 matrix products";
        }
        return "fp32";
    }
}
