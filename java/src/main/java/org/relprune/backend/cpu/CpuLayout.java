package org.relprune.backend.cpu;

import static org.relprune.backend.cpu.TorchTensors.t;

import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.relprune.backend.FeatureLayout;
import org.relprune.tensor.Shape;
import org.relprune.tensor.Tensor;

/**
 * The CPU backend's memory order. Images ([n, c, h, w]: uploaded inputs, convolution weights and
 * every result computed from them: convolutions, pooling, the elementwise steps after them) are
 * stored channels-last, [n, h, w, c] in memory, the order in which oneDNN's convolutions run
 * fastest on x86 CPUs (docs/lrp.md); every other tensor is row-major. Shapes stay logical
 * ([n, c, h, w]) everywhere: libtorch follows the strides by itself, and only our native kernels,
 * which walk raw memory, see the difference. This class gives them the memory-order
 * [outer, c, inner] view of a feature axis, and brings the operands of one kernel to one order.
 */
final class CpuLayout {
    private CpuLayout() {
    }

    /** Whether x is stored channels-last (a 4-D image tensor). */
    static boolean channelsLast(Tensor x) {
        return x.storage(TorchStorage.class, x.dtype()).channelsLast;
    }

    /** Whether a new tensor computed from x alone takes the channels-last order. */
    static boolean channelsLast(Shape shape, boolean likeChannelsLast) {
        return likeChannelsLast && shape.rank() == 4;
    }

    /**
     * x as [outer, c, inner] around logical axis {@code axis} in memory order: row-major as
     * {@link FeatureLayout#of}; channels-last [n, h, w, c] puts axis 1 innermost (outer = n*h*w,
     * inner = 1).
     */
    static FeatureLayout of(Tensor x, int axis) {
        return of(x.shape(), axis, channelsLast(x));
    }

    static FeatureLayout of(Shape s, int axis, boolean channelsLast) {
        if (!channelsLast) {
            return FeatureLayout.of(s, axis);
        }
        int a = axis < 0 ? s.rank() + axis : axis;
        if (a < 0 || a >= s.rank()) {
            throw new IllegalArgumentException("feature axis " + axis + " is outside " + s);
        }
        int[] order = {0, 2, 3, 1}; // memory order of the logical axes
        long outer = 1;
        long inner = 1;
        boolean before = true;
        for (int logical : order) {
            if (logical == a) {
                before = false;
            } else if (before) {
                outer *= s.dim(logical);
            } else {
                inner *= s.dim(logical);
            }
        }
        return new FeatureLayout(outer, s.dim(a), inner);
    }

    /** x in the memory order of {@code like}: x itself when it is already, else a copy (owned by the current scope). */
    static Tensor alike(Tensor x, Tensor like) {
        if (x == null || x.shape().rank() != 4 || channelsLast(x) == channelsLast(like)) {
            return x;
        }
        return channelsLast(like) ? TorchTensors.wrapImage(t(x).contiguous(torch.MemoryFormat.ChannelsLast))
                : TorchTensors.wrap(t(x).contiguous());
    }

    /** x row-major: itself, or a row-major copy (owned by the current scope). */
    static Tensor rowMajor(Tensor x) {
        return x.shape().rank() == 4 && channelsLast(x) ? TorchTensors.wrap(t(x).contiguous()) : x;
    }

    /** An uninitialized float32 tensor of a logical shape, channels-last if asked (and 4-D). */
    static Tensor empty(Shape shape, boolean channelsLast) {
        return TorchTensors.wrap(allocate(shape, channelsLast, torch.ScalarType.Float));
    }

    /** An uninitialized libtorch tensor of any element type, channels-last if asked (and 4-D). */
    static org.bytedeco.pytorch.Tensor allocate(Shape shape, boolean channelsLast, torch.ScalarType type) {
        try (TensorOptions options = new TensorOptions(type);
             MemoryFormatOptional format = channelsLast && shape.rank() == 4 ? new MemoryFormatOptional(torch.MemoryFormat.ChannelsLast)
                     : new MemoryFormatOptional()) {
            return torch.empty(shape.dims(), options, format);
        }
    }
}
