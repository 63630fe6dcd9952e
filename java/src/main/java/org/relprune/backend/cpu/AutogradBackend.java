package org.relprune.backend.cpu;

import static org.relprune.backend.cpu.TorchTensors.t;
import static org.relprune.backend.cpu.TorchTensors.wrap;

import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.relprune.backend.OpShapes;
import org.relprune.backend.TrainingBackend;
import org.relprune.tensor.Shape;
import org.relprune.tensor.Tensor;

/**
 * The CPU backend for training: every operation is a libtorch operation, so autograd records
 * the forward pass of our own graph and back-propagates through it. Results equal
 * {@link CpuBackend}'s (which runs some steps through our native kernels, without autograd).
 */
public final class AutogradBackend extends LibtorchBackend implements TrainingBackend {
    /**
     * Autograd's backward convolutions cannot be routed per call: where oneDNN is not trusted
     * for every shape ({@link OneDnnGuard}) it is off while this backend is open.
     */
    private final boolean oneDnnWasEnabled = torch.globalContext().userEnabledMkldnn();
    private final boolean oneDnnOff = OneDnnGuard.mode() != OneDnnGuard.Mode.ALL;

    public AutogradBackend() {
        if (oneDnnOff) {
            torch.globalContext().setUserEnabledMkldnn(false);
        }
    }

    @Override
    public String description() {
        return "cpu autograd (libtorch, " + torch.get_num_threads() + " threads, " + hostMalloc + ", "
                + (oneDnnOff ? OneDnnGuard.Mode.NONE : OneDnnGuard.Mode.ALL).description() + ")";
    }

    @Override
    public void close() {
        if (oneDnnOff && oneDnnWasEnabled && OneDnnGuard.mode() != OneDnnGuard.Mode.NONE) {
            torch.globalContext().setUserEnabledMkldnn(true);
        }
        super.close();
    }

    @Override
    public Tensor channelMask(Tensor x, Tensor mask) {
        long groups = org.relprune.backend.OpShapes.channelMask(x, mask);
        long[] dims = x.shape().dims();
        long[] view = new long[dims.length + 1];
        view[0] = groups;
        view[1] = dims[0] / groups;
        System.arraycopy(dims, 1, view, 2, dims.length - 1);
        long[] maskView = new long[view.length];
        java.util.Arrays.fill(maskView, 1);
        maskView[0] = groups;
        maskView[2] = dims[1];
        return wrap(t(x).view(view).mul(t(mask).view(maskView)).view(dims));
    }

    @Override
    public Tensor channelAffine(Tensor x, Tensor scale, Tensor shift, boolean relu) {
        OpShapes.channelAffine(x, scale, shift);
        long[] view = new long[x.shape().rank()];
        java.util.Arrays.fill(view, 1);
        view[1] = x.shape().dim(1);
        org.bytedeco.pytorch.Tensor y = t(x);
        if (scale != null) {
            y = y.mul(t(scale).view(view));
        }
        if (shift != null) {
            y = y.add(t(shift).view(view));
        }
        if (relu) {
            y = torch.relu(y);
        }
        return wrap(y == t(x) ? y.clone() : y);
    }

    @Override
    public Tensor relu(Tensor x) {
        return wrap(torch.relu(t(x)));
    }

    @Override
    public Tensor add(Tensor a, Tensor b) {
        OpShapes.sameShape("add", a, b);
        return wrap(t(a).add(t(b)));
    }

    @Override
    public Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
        OpShapes.layerNorm(x, gamma, beta);
        try (TensorOptional g = new TensorOptional(t(gamma)); TensorOptional b = new TensorOptional(t(beta))) {
            return wrap(torch.layer_norm(t(x), new long[] {x.shape().dim(-1)}, g, b, eps, false));
        }
    }

    @Override
    public Tensor vitEmbed(Tensor patches, Tensor classToken, Tensor posEmbedding) {
        Shape out = OpShapes.vitEmbed(patches, classToken, posEmbedding);
        long b = out.dim(0);
        long d = out.dim(2);
        org.bytedeco.pytorch.Tensor tokens = t(patches).reshape(b, d, -1).permute(0, 2, 1); // [b, g, d]
        org.bytedeco.pytorch.Tensor cls = t(classToken).reshape(1, 1, d).expand(b, 1, d);
        try (TensorVector parts = new TensorVector(cls, tokens)) {
            return wrap(torch.cat(parts, 1).add(t(posEmbedding).reshape(1, out.dim(1), d)));
        }
    }

    @Override
    public Tensor splitHeads(Tensor qkv, int heads) {
        Shape out = OpShapes.splitHeads(qkv, heads);
        // [b, n, 3, h, dh] -> [3, b, h, n, dh]
        return wrap(t(qkv).reshape(out.dim(1), out.dim(3), 3, heads, out.dim(4)).permute(2, 0, 3, 1, 4));
    }

    @Override
    public Tensor mergeHeads(Tensor x) {
        Shape out = OpShapes.mergeHeads(x);
        return wrap(t(x).permute(0, 2, 1, 3).reshape(out.dims()));
    }

    @Override
    public Tensor selectToken(Tensor x, int index) {
        OpShapes.selectToken(x, index);
        return wrap(t(x).select(1, index));
    }

    @Override
    public Tensor batchNormTraining(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar, double eps, double momentum) {
        OpShapes.channelAffine(x, weight, bias);
        try (TensorOptional w = new TensorOptional(t(weight)); TensorOptional b = new TensorOptional(t(bias));
             TensorOptional m = new TensorOptional(t(runningMean)); TensorOptional v = new TensorOptional(t(runningVar))) {
            return wrap(torch.batch_norm(t(x), w, b, m, v, true, momentum, eps, false));
        }
    }

}
