package org.relprune.backend;

import org.relprune.tensor.Shape;
import org.relprune.tensor.Tensor;

/**
 * Output shapes of the {@link Backend} operations, with the checks every backend shares: a
 * mismatch names the operation and the shapes involved.
 */
public final class OpShapes {
    private OpShapes() {
    }

    /** t (when not null) must have the expected shape; the message names it as {@code what}. */
    public static void sameShape(String what, Tensor t, Shape expected) {
        if (t != null && !t.shape().equals(expected)) {
            throw new IllegalArgumentException(what + " is " + t.shape() + " but must be " + expected);
        }
    }

    /** The gradient of an adaptive pool [n, c, oh, ow] against its input [n, c, h, w]; returns the gradient's shape. */
    public static Shape adaptivePoolAdjoint(Tensor g, Shape input) {
        Shape gs = g.shape();
        require(gs.rank() == 4 && input.rank() == 4 && gs.dim(0) == input.dim(0) && gs.dim(1) == input.dim(1), "adaptiveAvgPoolAdjoint",
                "gradient " + gs + " does not fit input " + input);
        return gs;
    }

    /** Token relevance [b, 1 + gh*gw, d] against the patch grid [b, d, gh, gw]; returns gh*gw. */
    public static long patchGrid(Tensor g, Shape patches) {
        Shape gs = g.shape();
        long grid = patches.dim(2) * patches.dim(3);
        require(gs.rank() == 3 && gs.dim(1) == grid + 1 && gs.dim(0) == patches.dim(0) && gs.dim(2) == patches.dim(1), "tokensToPatchGrid",
                "token relevance " + gs + " does not fit the patch grid " + patches);
        return grid;
    }

    public static Shape conv2d(Tensor x, Tensor w, Tensor bias, Conv2dSpec s) {
        if (bias != null) {
            require(bias.shape().equals(Shape.of(w.shape().dim(0))), "conv2d", "bias " + bias.shape() + " must be [" + w.shape().dim(0) + "]");
        }
        return conv2d(x.shape(), w.shape(), s);
    }

    /** The output shape of a convolution of an input shape with a weight shape. */
    public static Shape conv2d(Shape xs, Shape ws, Conv2dSpec s) {
        require(xs.rank() == 4 && ws.rank() == 4, "conv2d", "input " + xs + " and weight " + ws + " must be 4-d");
        require(xs.dim(1) == ws.dim(1) * s.groups() && ws.dim(0) % s.groups() == 0, "conv2d",
                "input " + xs + " has " + xs.dim(1) + " channels, weight " + ws + " with groups " + s.groups() + " expects " + ws.dim(1) * s.groups());
        long oh = Conv2dSpec.outSize(xs.dim(2), (int) ws.dim(2), s.strideH(), s.padH(), s.dilationH());
        long ow = Conv2dSpec.outSize(xs.dim(3), (int) ws.dim(3), s.strideW(), s.padW(), s.dilationW());
        require(oh > 0 && ow > 0, "conv2d", "input " + xs + " is smaller than the kernel " + ws);
        return Shape.of(xs.dim(0), ws.dim(0), oh, ow);
    }

    public static Shape linear(Tensor x, Tensor w, Tensor bias) {
        Shape xs = x.shape();
        Shape ws = w.shape();
        require(ws.rank() == 2 && xs.rank() >= 1 && xs.dim(-1) == ws.dim(1), "linear",
                "input " + xs + " does not fit weight " + ws + " (last axis must be " + (ws.rank() == 2 ? ws.dim(1) : "?") + ")");
        if (bias != null) {
            require(bias.shape().equals(Shape.of(ws.dim(0))), "linear", "bias " + bias.shape() + " must be [" + ws.dim(0) + "]");
        }
        return xs.withDim(-1, ws.dim(0));
    }

    public static Shape matmul(Tensor a, Tensor b, boolean transposeB) {
        Shape as = a.shape();
        Shape bs = b.shape();
        require(as.rank() >= 2 && as.rank() == bs.rank(), "matmul", "operands " + as + " and " + bs + " must have the same rank >= 2");
        for (int i = 0; i < as.rank() - 2; i++) {
            require(as.dim(i) == bs.dim(i), "matmul", "batch axes of " + as + " and " + bs + " differ");
        }
        long k = transposeB ? bs.dim(-1) : bs.dim(-2);
        long n = transposeB ? bs.dim(-2) : bs.dim(-1);
        require(as.dim(-1) == k, "matmul", "inner sizes of " + as + " and " + bs + (transposeB ? "^T" : "") + " differ");
        return as.withDim(-1, n);
    }

    public static void channelAffine(Tensor x, Tensor scale, Tensor shift) {
        Shape xs = x.shape();
        require(xs.rank() >= 2, "channelAffine", "input " + xs + " needs a channel axis");
        Shape c = Shape.of(xs.dim(1));
        require(scale == null || scale.shape().equals(c), "channelAffine", "scale " + (scale == null ? "" : scale.shape()) + " must be " + c);
        require(shift == null || shift.shape().equals(c), "channelAffine", "shift " + (shift == null ? "" : shift.shape()) + " must be " + c);
    }

    public static void sameShape(String op, Tensor a, Tensor b) {
        require(a.shape().equals(b.shape()), op, "shapes " + a.shape() + " and " + b.shape() + " differ");
    }

    public static void layerNorm(Tensor x, Tensor gamma, Tensor beta) {
        Shape d = Shape.of(x.shape().dim(-1));
        require(gamma.shape().equals(d) && beta.shape().equals(d), "layerNorm",
                "weight " + gamma.shape() + " and bias " + beta.shape() + " must be " + d + " for input " + x.shape());
    }

    /** Returns the number of mask groups; x [groups * batch, c, ...], mask [groups, c]. */
    public static long channelMask(Tensor x, Tensor mask) {
        Shape xs = x.shape();
        Shape ms = mask.shape();
        require(xs.rank() >= 2 && ms.rank() == 2 && ms.dim(1) == xs.dim(1), "channelMask",
                "mask " + ms + " must be [groups, " + (xs.rank() >= 2 ? xs.dim(1) : "c") + "] for input " + xs);
        require(ms.dim(0) > 0 && xs.dim(0) % ms.dim(0) == 0, "channelMask",
                "the batch of " + xs + " is not a whole number of copies for " + ms.dim(0) + " masks");
        return ms.dim(0);
    }

    /** The shape of {@link Backend#gatherFeatures}: axis in range, every index in [-1, dim(axis)). */
    public static Shape gatherFeatures(Tensor x, int axis, int[] index) {
        Shape xs = x.shape();
        int a = axis < 0 ? xs.rank() + axis : axis;
        require(a >= 0 && a < xs.rank(), "gatherFeatures", "axis " + axis + " is outside " + xs);
        long c = xs.dim(a);
        for (int j = 0; j < index.length; j++) {
            if (index[j] < -1 || index[j] >= c) {
                require(false, "gatherFeatures", "index[" + j + "] = " + index[j] + " is outside [-1, " + c + ") for axis " + axis + " of " + xs);
            }
        }
        return xs.withDim(a, index.length);
    }

    public static Shape pool2d(String op, Tensor x, Pool2dSpec s) {
        return pool2d(op, x.shape(), s);
    }

    /** The pooled shape of an input shape. */
    public static Shape pool2d(String op, Shape xs, Pool2dSpec s) {
        require(xs.rank() == 4, op, "input " + xs + " must be 4-d");
        long oh = s.outH(xs.dim(2));
        long ow = s.outW(xs.dim(3));
        require(oh > 0 && ow > 0, op, "input " + xs + " is smaller than the window");
        return Shape.of(xs.dim(0), xs.dim(1), oh, ow);
    }

    public static Shape adaptivePool2d(Tensor x, int oh, int ow) {
        require(x.shape().rank() == 4 && oh > 0 && ow > 0, "adaptiveAvgPool2d", "input " + x.shape() + " must be 4-d, output size positive");
        return Shape.of(x.shape().dim(0), x.shape().dim(1), oh, ow);
    }

    public static Shape vitEmbed(Tensor patches, Tensor cls, Tensor pos) {
        Shape ps = patches.shape();
        require(ps.rank() == 4, "vitEmbed", "patches " + ps + " must be [b, d, gh, gw]");
        long d = ps.dim(1);
        long g = ps.dim(2) * ps.dim(3);
        require(cls.numel() == d, "vitEmbed", "class token " + cls.shape() + " must have " + d + " values");
        require(pos.numel() == (g + 1) * d, "vitEmbed", "position embedding " + pos.shape() + " must be [1, " + (g + 1) + ", " + d + "]");
        return Shape.of(ps.dim(0), g + 1, d);
    }

    public static Shape splitHeads(Tensor qkv, int heads) {
        Shape s = qkv.shape();
        require(s.rank() == 3 && heads > 0 && s.dim(2) % (3L * heads) == 0, "splitHeads",
                "input " + s + " must be [b, n, 3*d] with d divisible by " + heads + " heads");
        return Shape.of(3, s.dim(0), heads, s.dim(1), s.dim(2) / (3L * heads));
    }

    public static Shape mergeHeads(Tensor x) {
        Shape s = x.shape();
        require(s.rank() == 4, "mergeHeads", "input " + s + " must be [b, h, n, dh]");
        return Shape.of(s.dim(0), s.dim(2), s.dim(1) * s.dim(3));
    }

    public static Shape selectToken(Tensor x, int index) {
        Shape s = x.shape();
        require(s.rank() == 3 && index >= 0 && index < s.dim(1), "selectToken", "token " + index + " of input " + s);
        return Shape.of(s.dim(0), s.dim(2));
    }

    public static Shape reshape(Tensor x, Shape shape) {
        require(x.shape().numel() == shape.numel(), "reshape", "cannot view " + x.shape() + " as " + shape);
        return shape;
    }

    public static Shape select(Tensor x, long index) {
        Shape s = x.shape();
        require(s.rank() >= 1 && index >= 0 && index < s.dim(0), "select", "index " + index + " of " + s);
        long[] d = s.dims();
        return Shape.of(java.util.Arrays.copyOfRange(d, 1, d.length));
    }

    static void require(boolean ok, String op, String message) {
        if (!ok) {
            throw new IllegalArgumentException(op + ": " + message);
        }
    }
}
