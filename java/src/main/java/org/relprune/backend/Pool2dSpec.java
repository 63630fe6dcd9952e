package org.relprune.backend;

/** Window, stride and padding of a 2-d max or average pooling (floor mode, torch semantics). */
public record Pool2dSpec(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW) {
    public Pool2dSpec {
        if (kernelH < 1 || kernelW < 1 || strideH < 1 || strideW < 1 || padH < 0 || padW < 0
                || 2 * padH > kernelH || 2 * padW > kernelW) {
            throw new IllegalArgumentException("invalid pooling: kernel (" + kernelH + "," + kernelW + ") stride ("
                    + strideH + "," + strideW + ") padding (" + padH + "," + padW + ")");
        }
    }

    public static Pool2dSpec of(int kernel, int stride, int padding) {
        return new Pool2dSpec(kernel, kernel, stride, stride, padding, padding);
    }

    /** Output height: floor division as torch (a map smaller than the window gives 0 or less, not 1). */
    public long outH(long h) {
        return Math.floorDiv(h + 2L * padH - kernelH, strideH) + 1;
    }

    public long outW(long w) {
        return Math.floorDiv(w + 2L * padW - kernelW, strideW) + 1;
    }
}
