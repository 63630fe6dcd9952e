package org.relprune.backend.cpu;

import static org.relprune.backend.cpu.TorchTensors.wrap;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.global.torch;
import org.relprune.backend.Backend;
import org.relprune.backend.Conv2dSpec;
import org.relprune.backend.OpShapes;
import org.relprune.backend.Pool2dSpec;
import org.relprune.backend.jni.NativeKernels;
import org.relprune.backend.jni.NativeStatus;
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
        return wrap(TorchTensors.fromHost(host));
    }

    @Override
    public HostTensor download(Tensor x) {
        return TorchTensors.toHost(TorchTensors.t(x));
    }

    @Override
    public Tensor reshape(Tensor x, Shape shape) {
        return TorchOps.reshape(x, shape);
    }

    @Override
    public Tensor select(Tensor x, long index) {
        return TorchOps.select(x, index);
    }

    // ---- dense operations: libtorch --------------------------------------------------------

    @Override
    public Tensor conv2d(Tensor x, Tensor w, Tensor bias, Conv2dSpec s) {
        return TorchOps.conv2d(x, w, bias, s);
    }

    @Override
    public Tensor linear(Tensor x, Tensor w, Tensor bias) {
        return TorchOps.linear(x, w, bias);
    }

    @Override
    public Tensor matmul(Tensor a, Tensor b, boolean transposeB, float alpha) {
        return TorchOps.matmul(a, b, transposeB, alpha);
    }

    @Override
    public Tensor maxPool2d(Tensor x, Pool2dSpec s) {
        return TorchOps.maxPool2d(x, s);
    }

    @Override
    public Tensor avgPool2d(Tensor x, Pool2dSpec s) {
        return TorchOps.avgPool2d(x, s);
    }

    @Override
    public Tensor adaptiveAvgPool2d(Tensor x, int outH, int outW) {
        return TorchOps.adaptiveAvgPool2d(x, outH, outW);
    }

    @Override
    public Tensor gelu(Tensor x) {
        return TorchOps.gelu(x);
    }

    @Override
    public Tensor softmax(Tensor x) {
        return TorchOps.softmax(x);
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

    private final TorchLrpOps lrp = new TorchLrpOps();

    @Override
    public AutoCloseable workScope() {
        return new org.bytedeco.javacpp.PointerScope();
    }

    @Override
    public org.relprune.backend.LrpOps lrp() {
        return lrp;
    }

    @Override
    public void close() {
        // libtorch's CPU allocator needs no teardown.
    }
}
