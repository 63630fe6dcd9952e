package org.relprune.backend.cpu;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.relprune.backend.Backend;
import org.relprune.backend.Conv2dSpec;
import org.relprune.backend.OpShapes;
import org.relprune.backend.Pool2dSpec;
import org.relprune.backend.jni.NativeKernels;
import org.relprune.backend.jni.NativeStatus;
import org.relprune.tensor.DType;
import org.relprune.tensor.Device;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Shape;
import org.relprune.tensor.Tensor;

/**
 * The CPU backend: libtorch for the dense operations (convolution, matrix products, pooling),
 * our native kernels (native/src/cpu) for everything elementwise, normalizing and layout.
 */
public final class CpuBackend implements Backend {
    public CpuBackend() {
        NativeKernels.load();
        torch.set_num_threads(Runtime.getRuntime().availableProcessors());
    }

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public String description() {
        return "cpu (libtorch, " + torch.get_num_threads() + " threads; relprune kernels " + NativeStatus.version() + ")";
    }

    // ---- memory ---------------------------------------------------------------------------

    private static Tensor wrap(org.bytedeco.pytorch.Tensor t) {
        org.bytedeco.pytorch.Tensor c = t;
        if (!t.is_contiguous()) {
            c = t.contiguous();
            t.close();
        }
        long[] dims = new long[(int) c.dim()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = c.size(i);
        }
        return new Tensor(Shape.of(dims), DType.F32, Device.CPU, new TorchStorage(c));
    }

    private static org.bytedeco.pytorch.Tensor t(Tensor x) {
        return x.storage(TorchStorage.class).torch;
    }

    private static FloatPointer p(Tensor x) {
        return x.storage(TorchStorage.class).data();
    }

    private static Pointer pOrNull(Tensor x) {
        return x == null ? null : p(x);
    }

    private static Tensor empty(Shape shape) {
        return wrap(torch.empty(shape.dims()));
    }

    @Override
    public Tensor upload(HostTensor host) {
        try (FloatPointer buffer = new FloatPointer(host.data())) {
            org.bytedeco.pytorch.Tensor view = torch.from_blob(buffer, host.shape().dims());
            org.bytedeco.pytorch.Tensor owned = view.clone();
            view.close();
            return wrap(owned);
        }
    }

    @Override
    public HostTensor download(Tensor x) {
        float[] data = new float[x.shape().numelInt()];
        p(x).get(data);
        return new HostTensor(x.shape(), data);
    }

    @Override
    public Tensor reshape(Tensor x, Shape shape) {
        OpShapes.reshape(x, shape);
        return wrap(t(x).view(shape.dims()));
    }

    @Override
    public Tensor select(Tensor x, long index) {
        OpShapes.select(x, index);
        return wrap(t(x).select(0, index));
    }

    // ---- dense operations: libtorch --------------------------------------------------------

    @Override
    public Tensor conv2d(Tensor x, Tensor w, Tensor bias, Conv2dSpec s) {
        OpShapes.conv2d(x, w, bias, s);
        TensorOptional b = bias == null ? new TensorOptional() : new TensorOptional(t(bias));
        try (b) {
            return wrap(torch.conv2d(t(x), t(w), b, new long[] {s.strideH(), s.strideW()},
                    new long[] {s.padH(), s.padW()}, new long[] {s.dilationH(), s.dilationW()}, s.groups()));
        }
    }

    @Override
    public Tensor linear(Tensor x, Tensor w, Tensor bias) {
        OpShapes.linear(x, w, bias);
        TensorOptional b = bias == null ? new TensorOptional() : new TensorOptional(t(bias));
        try (b) {
            return wrap(torch.linear(t(x), t(w), b));
        }
    }

    @Override
    public Tensor matmul(Tensor a, Tensor b, boolean transposeB, float alpha) {
        OpShapes.matmul(a, b, transposeB);
        org.bytedeco.pytorch.Tensor bt = transposeB ? t(b).transpose(-2, -1) : t(b);
        org.bytedeco.pytorch.Tensor product = torch.matmul(t(a), bt);
        if (transposeB) {
            bt.close();
        }
        if (alpha != 1f) {
            try (org.bytedeco.pytorch.Scalar factor = new org.bytedeco.pytorch.Scalar(alpha)) {
                org.bytedeco.pytorch.Tensor scaled = product.mul(factor);
                product.close();
                product = scaled;
            }
        }
        return wrap(product);
    }

    @Override
    public Tensor maxPool2d(Tensor x, Pool2dSpec s) {
        OpShapes.pool2d("maxPool2d", x, s);
        return wrap(torch.max_pool2d(t(x), new long[] {s.kernelH(), s.kernelW()}, new long[] {s.strideH(), s.strideW()},
                new long[] {s.padH(), s.padW()}, new long[] {1, 1}, false));
    }

    @Override
    public Tensor avgPool2d(Tensor x, Pool2dSpec s) {
        OpShapes.pool2d("avgPool2d", x, s);
        return wrap(torch.avg_pool2d(t(x), new long[] {s.kernelH(), s.kernelW()}, new long[] {s.strideH(), s.strideW()},
                new long[] {s.padH(), s.padW()}, false, true, new org.bytedeco.pytorch.LongOptional()));
    }

    @Override
    public Tensor adaptiveAvgPool2d(Tensor x, int outH, int outW) {
        OpShapes.adaptivePool2d(x, outH, outW);
        return wrap(torch.adaptive_avg_pool2d(t(x), outH, outW));
    }

    // ---- our kernels ---------------------------------------------------------------------

    @Override
    public Tensor channelAffine(Tensor x, Tensor scale, Tensor shift, boolean relu) {
        OpShapes.channelAffine(x, scale, shift);
        Shape s = x.shape();
        Tensor y = empty(s);
        NativeStatus.check(NativeKernels.rp_channel_affine_cpu(p(x), p(y), pOrNull(scale), pOrNull(shift),
                s.dim(0), s.dim(1), s.numelFrom(2), relu ? 1 : 0), "rp_channel_affine_cpu");
        return y;
    }

    @Override
    public Tensor relu(Tensor x) {
        Tensor y = empty(x.shape());
        NativeStatus.check(NativeKernels.rp_relu_cpu(p(x), p(y), x.numel()), "rp_relu_cpu");
        return y;
    }

    /** libtorch's vectorized, threaded GELU: our scalar CPU twin (the CUDA specification) is ~10x slower here. */
    @Override
    public Tensor gelu(Tensor x) {
        return wrap(torch.gelu(t(x)));
    }

    @Override
    public Tensor add(Tensor a, Tensor b) {
        OpShapes.sameShape("add", a, b);
        Tensor y = empty(a.shape());
        NativeStatus.check(NativeKernels.rp_add_cpu(p(a), p(b), p(y), a.numel()), "rp_add_cpu");
        return y;
    }

    @Override
    public Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
        OpShapes.layerNorm(x, gamma, beta);
        long cols = x.shape().dim(-1);
        Tensor y = empty(x.shape());
        NativeStatus.check(NativeKernels.rp_layernorm_cpu(p(x), p(y), p(gamma), p(beta), x.numel() / cols, cols, eps),
                "rp_layernorm_cpu");
        return y;
    }

    /** libtorch's vectorized, threaded softmax, for the same reason as {@link #gelu}. */
    @Override
    public Tensor softmax(Tensor x) {
        return wrap(torch.softmax(t(x), -1));
    }

    @Override
    public Tensor vitEmbed(Tensor patches, Tensor classToken, Tensor posEmbedding) {
        Shape out = OpShapes.vitEmbed(patches, classToken, posEmbedding);
        Tensor y = empty(out);
        NativeStatus.check(NativeKernels.rp_vit_embed_cpu(p(patches), p(classToken), p(posEmbedding), p(y),
                out.dim(0), out.dim(2), out.dim(1) - 1), "rp_vit_embed_cpu");
        return y;
    }

    @Override
    public Tensor splitHeads(Tensor qkv, int heads) {
        Shape out = OpShapes.splitHeads(qkv, heads);
        Tensor y = empty(out);
        NativeStatus.check(NativeKernels.rp_split_heads_cpu(p(qkv), p(y), out.dim(1), out.dim(3), heads, out.dim(4)),
                "rp_split_heads_cpu");
        return y;
    }

    @Override
    public Tensor mergeHeads(Tensor x) {
        Shape out = OpShapes.mergeHeads(x);
        Shape s = x.shape();
        Tensor y = empty(out);
        NativeStatus.check(NativeKernels.rp_merge_heads_cpu(p(x), p(y), s.dim(0), s.dim(1), s.dim(2), s.dim(3)),
                "rp_merge_heads_cpu");
        return y;
    }

    @Override
    public Tensor selectToken(Tensor x, int index) {
        Shape out = OpShapes.selectToken(x, index);
        Shape s = x.shape();
        Tensor y = empty(out);
        NativeStatus.check(NativeKernels.rp_select_token_cpu(p(x), p(y), s.dim(0), s.dim(1), s.dim(2), index),
                "rp_select_token_cpu");
        return y;
    }

    @Override
    public void close() {
        // libtorch's CPU allocator needs no teardown.
    }
}
