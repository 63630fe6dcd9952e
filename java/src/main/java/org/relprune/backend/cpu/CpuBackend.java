package org.relprune.backend.cpu;

import static org.relprune.backend.cpu.TorchTensors.wrap;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.javacpp.LongPointer;
import org.relprune.backend.FeatureLayout;
import org.relprune.backend.OpShapes;
import org.relprune.backend.jni.NativeKernels;
import org.relprune.backend.jni.NativeStatus;
import org.relprune.tensor.Shape;
import org.relprune.tensor.Tensor;
import org.relprune.tensor.TensorScope;

/**
 * The CPU backend: libtorch for the dense operations (convolution, matrix products, pooling),
 * our native kernels (native/src/cpu) for everything elementwise, normalizing and layout.
 */
public final class CpuBackend extends LibtorchBackend {
    public CpuBackend() {
        NativeKernels.load();
        int threads = Runtime.getRuntime().availableProcessors();
        torch.set_num_threads(threads);
        // our kernels split their loops over as many threads as libtorch's (the two take turns)
        NativeStatus.check(NativeKernels.rp_set_num_threads(threads), "rp_set_num_threads");
    }

    @Override
    public String description() {
        return "cpu (libtorch, " + torch.get_num_threads() + " threads, " + hostMalloc + ", " + OneDnnGuard.mode().description()
                + ", images channels-last, " + idleThreads + "; relprune kernels " + NativeStatus.version() + ", " + NativeKernels.rp_get_num_threads() + " threads)";
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

    /** A new tensor of x's shape in x's memory order. */
    private static Tensor emptyLike(Tensor x) {
        return CpuLayout.empty(x.shape(), CpuLayout.channelsLast(x));
    }

    // ---- our kernels ---------------------------------------------------------------------

    @Override
    public Tensor channelAffine(Tensor x, Tensor scale, Tensor shift, boolean relu) {
        OpShapes.channelAffine(x, scale, shift);
        FeatureLayout f = CpuLayout.of(x, 1);
        Tensor y = emptyLike(x);
        NativeStatus.check(NativeKernels.rp_channel_affine_cpu(p(x), p(y), pOrNull(scale), pOrNull(shift),
                f.outer(), f.c(), f.inner(), relu ? 1 : 0), "rp_channel_affine_cpu");
        return y;
    }

    @Override
    public Tensor channelMask(Tensor x, Tensor mask) {
        long groups = OpShapes.channelMask(x, mask);
        FeatureLayout f = CpuLayout.of(x, 1);
        Tensor y = emptyLike(x);
        NativeStatus.check(NativeKernels.rp_channel_mask_cpu(p(x), p(y), p(mask), groups, f.outer() / groups, f.c(), f.inner()),
                "rp_channel_mask_cpu");
        return y;
    }

    @Override
    public Tensor gatherFeatures(Tensor x, int axis, int[] index) {
        Shape out = OpShapes.gatherFeatures(x, axis, index);
        FeatureLayout f = CpuLayout.of(x, axis);
        Tensor y = CpuLayout.empty(out, CpuLayout.channelsLast(x));
        try (LongPointer idx = new LongPointer(index.length == 0 ? 1 : index.length)) {
            for (int j = 0; j < index.length; j++) {
                idx.put(j, index[j]);
            }
            NativeStatus.check(NativeKernels.rp_gather_features_cpu(p(x), p(y), idx, f.outer(), f.c(), index.length, f.inner()),
                    "rp_gather_features_cpu");
        } catch (RuntimeException e) {
            y.close();
            throw e;
        }
        return y;
    }

    @Override
    public Tensor relu(Tensor x) {
        Tensor y = emptyLike(x);
        NativeStatus.check(NativeKernels.rp_relu_cpu(p(x), p(y), x.numel()), "rp_relu_cpu");
        return y;
    }

    @Override
    public Tensor reluInPlace(Tensor x) {
        NativeStatus.check(NativeKernels.rp_relu_cpu(p(x), p(x), x.numel()), "rp_relu_cpu");
        return x;
    }

    @Override
    public Tensor addInPlace(Tensor a, Tensor b) {
        OpShapes.sameShape("addInPlace", a, b);
        return sum(a, b, a);
    }

    @Override
    public Tensor add(Tensor a, Tensor b) {
        OpShapes.sameShape("add", a, b);
        return sum(a, b, emptyLike(a));
    }

    /** y = a + b, b brought to a's memory order first; y in a's order (a itself allowed). */
    private static Tensor sum(Tensor a, Tensor b, Tensor y) {
        try (TensorScope scope = TensorScope.open()) {
            Tensor bb = CpuLayout.alike(b, a);
            NativeStatus.check(NativeKernels.rp_add_cpu(p(a), p(bb), p(y), a.numel()), "rp_add_cpu");
            return y;
        }
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
        try (TensorScope scope = TensorScope.open()) {
            Tensor grid = CpuLayout.rowMajor(patches); // the kernel reads [b, d, g]
            Tensor y = scope.keep(empty(out));
            NativeStatus.check(NativeKernels.rp_vit_embed_cpu(p(grid), p(classToken), p(posEmbedding), p(y),
                    out.dim(0), out.dim(2), out.dim(1) - 1), "rp_vit_embed_cpu");
            return y;
        }
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
        try (TensorScope scope = TensorScope.open()) {
            Tensor heads = CpuLayout.rowMajor(x); // [b, h, n, dh] as the kernel reads it
            Tensor y = scope.keep(empty(out));
            NativeStatus.check(NativeKernels.rp_merge_heads_cpu(p(heads), p(y), s.dim(0), s.dim(1), s.dim(2), s.dim(3)),
                    "rp_merge_heads_cpu");
            return y;
        }
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

}
