package org.relprune.backend.cpu;

import static org.relprune.backend.cpu.TorchTensors.t;
import static org.relprune.backend.cpu.TorchTensors.wrap;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.relprune.backend.Conv2dSpec;
import org.relprune.backend.OpShapes;
import org.relprune.backend.Pool2dSpec;
import org.relprune.tensor.Tensor;

/**
 * The operations both CPU backends run through libtorch (differentiable, so the training backend
 * shares them): convolution, matrix products, pooling, GELU and softmax.
 */
final class TorchOps {
    private TorchOps() {
    }

    static Tensor conv2d(Tensor x, Tensor w, Tensor bias, Conv2dSpec s) {
        OpShapes.conv2d(x, w, bias, s);
        try (TensorOptional b = bias == null ? new TensorOptional() : new TensorOptional(t(bias))) {
            boolean pointwise = w.shape().dim(2) == 1 && w.shape().dim(3) == 1;
            return wrap(OneDnnGuard.convolution(x.shape().dim(1) / s.groups(), pointwise, () -> torch.conv2d(t(x), t(w), b,
                    new long[] {s.strideH(), s.strideW()}, new long[] {s.padH(), s.padW()}, new long[] {s.dilationH(), s.dilationW()},
                    s.groups())));
        }
    }

    static Tensor linear(Tensor x, Tensor w, Tensor bias) {
        OpShapes.linear(x, w, bias);
        try (TensorOptional b = bias == null ? new TensorOptional() : new TensorOptional(t(bias))) {
            return wrap(torch.linear(t(x), t(w), b));
        }
    }

    static Tensor matmul(Tensor a, Tensor b, boolean transposeB, float alpha) {
        OpShapes.matmul(a, b, transposeB);
        org.bytedeco.pytorch.Tensor bt = transposeB ? t(b).transpose(-2, -1) : t(b);
        org.bytedeco.pytorch.Tensor product = torch.matmul(t(a), bt);
        if (transposeB) {
            bt.close();
        }
        if (alpha != 1f) {
            try (Scalar factor = new Scalar(alpha)) {
                org.bytedeco.pytorch.Tensor scaled = product.mul(factor);
                product.close();
                product = scaled;
            }
        }
        return wrap(product);
    }

    static Tensor maxPool2d(Tensor x, Pool2dSpec s) {
        OpShapes.pool2d("maxPool2d", x, s);
        return wrap(torch.max_pool2d(t(x), new long[] {s.kernelH(), s.kernelW()}, new long[] {s.strideH(), s.strideW()},
                new long[] {s.padH(), s.padW()}, new long[] {1, 1}, false));
    }

    static Tensor avgPool2d(Tensor x, Pool2dSpec s) {
        OpShapes.pool2d("avgPool2d", x, s);
        try (org.bytedeco.pytorch.LongOptional divisor = new org.bytedeco.pytorch.LongOptional()) {
            return wrap(torch.avg_pool2d(t(x), new long[] {s.kernelH(), s.kernelW()}, new long[] {s.strideH(), s.strideW()},
                    new long[] {s.padH(), s.padW()}, false, true, divisor));
        }
    }

    static Tensor adaptiveAvgPool2d(Tensor x, int outH, int outW) {
        OpShapes.adaptivePool2d(x, outH, outW);
        return wrap(torch.adaptive_avg_pool2d(t(x), outH, outW));
    }

    /** libtorch's vectorized, threaded GELU: our scalar CPU twin (the CUDA specification) is far slower. */
    static Tensor gelu(Tensor x) {
        return wrap(torch.gelu(t(x)));
    }

    /** libtorch's vectorized, threaded softmax over the last axis, for the same reason as {@link #gelu}. */
    static Tensor softmax(Tensor x) {
        return wrap(torch.softmax(t(x), -1));
    }

    /** A 4-D result is an image (or a convolution weight): channels-last, as {@link CpuLayout} keeps them. */
    static Tensor reshape(Tensor x, org.relprune.tensor.Shape shape) {
        OpShapes.reshape(x, shape);
        return TorchTensors.wrapImage(t(x).reshape(shape.dims()));
    }

    static Tensor select(Tensor x, long index) {
        OpShapes.select(x, index);
        return wrap(t(x).select(0, index));
    }
}
