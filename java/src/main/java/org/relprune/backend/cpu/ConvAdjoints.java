package org.relprune.backend.cpu;

import static org.relprune.backend.cpu.TorchTensors.t;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.relprune.backend.Conv2dSpec;
import org.relprune.tensor.Shape;
import org.relprune.tensor.Tensor;

/**
 * The adjoint of a convolution, W^T s (the dense step of every LRP rule on a conv layer), in the
 * fastest form that is right on this CPU. Where oneDNN passed its self-check, its deconvolution.
 * Where it failed ({@link OneDnnGuard}: its deconvolutions are wrong, even crash, while its
 * forward convolutions over multiples of 16 input channels are right, 1x1 ones excepted, which
 * then run on ATen as well), ATen's deconvolution is
 * right but slow (2.4x on LRP epsilon), so the adjoint runs as a forward convolution instead:
 * <ul>
 *   <li>stride 1: W^T s is the correlation of s with the kernel flipped in space and transposed
 *       in channels, padded by k - 1 - p (a full convolution);</li>
 *   <li>a 1x1 kernel with stride > 1 and no padding (ResNet's downsampling): the 1x1 product
 *       W^T s, placed at every stride-th position of a zero input.</li>
 * </ul>
 * Its input channels are the convolution's output channels (the stacked signals'), multiples of
 * 16 in practice. Other shapes (strided kernels above 1x1, groups, dilation, channel counts off
 * the block) stay on ATen's deconvolution.
 */
final class ConvAdjoints {
    /** Flipped, transposed weights, by the weight tensor they come from (the rules' stacks live as long as a trial). */
    private static final Map<Tensor, org.bytedeco.pytorch.Tensor> FLIPPED = new LinkedHashMap<>();
    private static final int MAX_FLIPPED = 512;
    /**
     * System property {@code relprune.adjoint}: {@code auto} (default) or {@code deconvolution}
     * (every adjoint as a deconvolution, as before the forward form: to compare the two).
     */
    private static final boolean FORWARD_FORM = switch (System.getProperty("relprune.adjoint", "auto")) {
        case "auto" -> true;
        case "deconvolution" -> false;
        default -> throw new IllegalArgumentException("-Drelprune.adjoint=" + System.getProperty("relprune.adjoint")
                + ": expected auto or deconvolution");
    };

    private ConvAdjoints() {
    }

    /** W^T s: s [n, cout, oh, ow], w [cout, cin/groups, kh, kw] -> [n, cin, h, w] = {@code input}. */
    static org.bytedeco.pytorch.Tensor adjoint(Tensor s, Tensor w, Conv2dSpec spec, Shape input) {
        if (OneDnnGuard.mode() == OneDnnGuard.Mode.BLOCKS_OF_16 && FORWARD_FORM && asForwardApplies(w, spec)) {
            return asForwardConvolution(s, w, spec, input);
        }
        return deconvolution(s, w, spec, input);
    }

    /** torch's conv_transpose2d: oneDNN where it is trusted, ATen elsewhere ({@link OneDnnGuard#deconvolution}). */
    static org.bytedeco.pytorch.Tensor deconvolution(Tensor s, Tensor w, Conv2dSpec spec, Shape input) {
        long[] ws = w.shape().dims();
        long oh = s.shape().dim(2);
        long ow = s.shape().dim(3);
        long padH = input.dim(2) - ((oh - 1) * spec.strideH() - 2L * spec.padH() + (long) spec.dilationH() * (ws[2] - 1) + 1);
        long padW = input.dim(3) - ((ow - 1) * spec.strideW() - 2L * spec.padW() + (long) spec.dilationW() * (ws[3] - 1) + 1);
        return OneDnnGuard.deconvolution(() -> torch.conv_transpose2d(t(s), t(w), new TensorOptional(),
                new long[] {spec.strideH(), spec.strideW()}, new long[] {spec.padH(), spec.padW()}, new long[] {padH, padW},
                spec.groups(), spec.dilationH(), spec.dilationW()));
    }

    /** Whether {@link #asForwardConvolution} covers this convolution. */
    static boolean asForwardApplies(Tensor w, Conv2dSpec spec) {
        long kh = w.shape().dim(2);
        long kw = w.shape().dim(3);
        boolean plain = spec.groups() == 1 && spec.dilationH() == 1 && spec.dilationW() == 1 && w.shape().dim(0) % OneDnnGuard.BLOCK == 0;
        boolean stride1 = spec.strideH() == 1 && spec.strideW() == 1 && spec.padH() <= kh - 1 && spec.padW() <= kw - 1;
        boolean pointwise = kh == 1 && kw == 1 && spec.padH() == 0 && spec.padW() == 0;
        return plain && (stride1 || pointwise);
    }

    /** W^T s as a forward convolution (see the class comment); the shapes must pass {@link #asForwardApplies}. */
    static org.bytedeco.pytorch.Tensor asForwardConvolution(Tensor s, Tensor w, Conv2dSpec spec, Shape input) {
        if (!asForwardApplies(w, spec)) {
            throw new IllegalArgumentException("the adjoint of a convolution " + spec + " with weight " + w.shape()
                    + " has no forward-convolution form here");
        }
        long kh = w.shape().dim(2);
        long kw = w.shape().dim(3);
        org.bytedeco.pytorch.Tensor wt = flipped(w); // [cin, cout, kh, kw]
        long cin = w.shape().dim(1);
        if (spec.strideH() == 1 && spec.strideW() == 1) {
            return OneDnnGuard.convolution(w.shape().dim(0), kh == 1 && kw == 1, () -> torch.conv2d(t(s), wt, new TensorOptional(), new long[] {1, 1},
                    new long[] {kh - 1 - spec.padH(), kw - 1 - spec.padW()}, new long[] {1, 1}, 1));
        }
        org.bytedeco.pytorch.Tensor product = OneDnnGuard.convolution(w.shape().dim(0), true, () -> torch.conv2d(t(s), wt, new TensorOptional(),
                new long[] {1, 1}, new long[] {0, 0}, new long[] {1, 1}, 1));
        org.bytedeco.pytorch.Tensor out = torch.zeros(input.dims()).contiguous(torch.MemoryFormat.ChannelsLast);
        long oh = s.shape().dim(2);
        long ow = s.shape().dim(3);
        // the outputs of a pointwise strided convolution read inputs (i * stride, j * stride)
        out.slice(2, new org.bytedeco.pytorch.LongOptional(0), new org.bytedeco.pytorch.LongOptional((oh - 1) * spec.strideH() + 1), spec.strideH())
                .slice(3, new org.bytedeco.pytorch.LongOptional(0), new org.bytedeco.pytorch.LongOptional((ow - 1) * spec.strideW() + 1), spec.strideW())
                .copy_(product);
        if (out.size(1) != cin) {
            throw new IllegalStateException("adjoint: " + out.size(1) + " channels instead of " + cin);
        }
        return out;
    }

    /** w [cout, cin, kh, kw] flipped in space and transposed: [cin, cout, kh, kw], channels-last; kept per weight tensor. */
    private static synchronized org.bytedeco.pytorch.Tensor flipped(Tensor w) {
        for (Iterator<Map.Entry<Tensor, org.bytedeco.pytorch.Tensor>> it = FLIPPED.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Tensor, org.bytedeco.pytorch.Tensor> e = it.next();
            if (e.getKey().isClosed() || FLIPPED.size() > MAX_FLIPPED) {
                e.getValue().close();
                it.remove();
            }
        }
        org.bytedeco.pytorch.Tensor f = FLIPPED.get(w);
        if (f == null) {
            try (org.bytedeco.javacpp.PointerScope outside = new org.bytedeco.javacpp.PointerScope()) {
                f = t(w).flip(new long[] {2, 3}).transpose(0, 1).contiguous(torch.MemoryFormat.ChannelsLast);
                f.retainReference();
                outside.detach(f);
            }
            FLIPPED.put(w, f);
        }
        return f;
    }
}
