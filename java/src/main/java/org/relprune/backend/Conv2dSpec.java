package org.relprune.backend;

/** Stride, zero padding, dilation and groups of a 2-d convolution (torch.nn.Conv2d semantics). */
public record Conv2dSpec(int strideH, int strideW, int padH, int padW, int dilationH, int dilationW, int groups) {
    public Conv2dSpec {
        if (strideH < 1 || strideW < 1 || dilationH < 1 || dilationW < 1 || groups < 1 || padH < 0 || padW < 0) {
            throw new IllegalArgumentException("invalid convolution " + describe(strideH, strideW, padH, padW, dilationH, dilationW, groups));
        }
    }

    public static Conv2dSpec of(int stride, int padding) {
        return new Conv2dSpec(stride, stride, padding, padding, 1, 1, 1);
    }

    public static Conv2dSpec of(int stride, int padding, int groups) {
        return new Conv2dSpec(stride, stride, padding, padding, 1, 1, groups);
    }

    /** Output size of one spatial axis: floor division as torch (an input smaller than the kernel gives 0 or less, not 1). */
    public static long outSize(long in, int kernel, int stride, int pad, int dilation) {
        return Math.floorDiv(in + 2L * pad - (long) dilation * (kernel - 1) - 1, stride) + 1;
    }

    private static String describe(int sh, int sw, int ph, int pw, int dh, int dw, int g) {
        return "stride (" + sh + "," + sw + ") padding (" + ph + "," + pw + ") dilation (" + dh + "," + dw + ") groups " + g;
    }
}
