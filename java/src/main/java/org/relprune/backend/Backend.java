package org.relprune.backend;

import org.relprune.tensor.Device;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Shape;
import org.relprune.tensor.Tensor;

/**
 * The operations a model needs, on one device. Inputs and outputs are dense float32 tensors,
 * batch first, with logical shapes (NCHW for images, [batch, tokens, features] for
 * transformers); how a backend orders them in memory is its own affair (the CPU backend keeps
 * images channels-last). Every
 * method returns a new tensor the caller owns (views share memory but are closed separately);
 * no method changes its inputs. Shapes are checked and a mismatch names the operation and shapes.
 */
public interface Backend extends AutoCloseable {
    Device device();

    /** Human-readable description, e.g. "cpu (libtorch 2.10, 2 threads)". */
    String description();

    Tensor upload(HostTensor host);

    HostTensor download(Tensor t);

    /**
     * x as a new tensor of element type {@code to}: F32 to BF16 rounds to nearest, ties to even
     * (half the memory, about 3 significant digits: for cached activations); BF16 to F32 is
     * exact. x must be of the other type.
     */
    Tensor convert(Tensor x, org.relprune.tensor.DType to);

    /** A view with another shape of the same element count. */
    Tensor reshape(Tensor x, Shape shape);

    /** x[index] along the first axis, as a view: [n, ...] -> [...]. */
    Tensor select(Tensor x, long index);

    /** x [n, cin, h, w], w [cout, cin/groups, kh, kw], bias [cout] or null -> [n, cout, oh, ow]. */
    Tensor conv2d(Tensor x, Tensor w, Tensor bias, Conv2dSpec spec);

    /** x [..., in], w [out, in], bias [out] or null -> [..., out]. */
    Tensor linear(Tensor x, Tensor w, Tensor bias);

    /**
     * Batched matrix product over the leading axes: a [..., m, k] times b [..., k, n]
     * (or b [..., n, k] transposed when transposeB), scaled by alpha.
     */
    Tensor matmul(Tensor a, Tensor b, boolean transposeB, float alpha);

    /** y = x * scale[c] + shift[c] over x [n, c, ...], then ReLU if asked (BatchNorm inference). */
    Tensor channelAffine(Tensor x, Tensor scale, Tensor shift, boolean relu);

    Tensor relu(Tensor x);

    /**
     * ReLU written over x itself, which is returned: the one exception to inputs staying
     * unchanged, for a caller that owns x and reads it nowhere else (an evaluation pass fusing a
     * layer's ReLU into it).
     */
    Tensor reluInPlace(Tensor x);

    /** a + b written over a, which is returned (as {@link #reluInPlace}: a owned by the caller and read nowhere else). */
    Tensor addInPlace(Tensor a, Tensor b);

    /** Exact (erf) GELU. */
    Tensor gelu(Tensor x);

    Tensor add(Tensor a, Tensor b);

    /** LayerNorm over the last axis. */
    Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps);

    /** Softmax over the last axis. */
    Tensor softmax(Tensor x);

    Tensor maxPool2d(Tensor x, Pool2dSpec spec);

    /** Average pooling with count_include_pad (torch's default). */
    Tensor avgPool2d(Tensor x, Pool2dSpec spec);

    Tensor adaptiveAvgPool2d(Tensor x, int outH, int outW);

    /** patches [b, d, gh, gw] -> tokens [b, 1 + gh*gw, d]: class token first, position embedding [1, 1+g, d] added. */
    Tensor vitEmbed(Tensor patches, Tensor classToken, Tensor posEmbedding);

    /** qkv [b, n, 3*h*dh] -> [3, b, h, n, dh] (queries, keys, values). */
    Tensor splitHeads(Tensor qkv, int heads);

    /** x [b, h, n, dh] -> [b, n, h*dh]. */
    Tensor mergeHeads(Tensor x);

    /** x [b, n, d] -> [b, d], token {@code index}. */
    Tensor selectToken(Tensor x, int index);

    /**
     * Several channel masks at once (a batched pruning curve: the batch holds the same images
     * once per mask): x [groups * batch, c, ...], mask [groups, c] ->
     * y[g * batch + i, ch, ...] = mask[g, ch] * x[g * batch + i, ch, ...].
     */
    Tensor channelMask(Tensor x, Tensor mask);

    /**
     * The features of x along {@code axis} (logical, as everywhere) picked by index: the result
     * has index.length features there, y[..., j, ...] = x[..., index[j], ...] where index[j] >= 0
     * and 0 where index[j] == -1. One operation gathers a pruned layer's kept channels (or
     * weight rows) and scatters them back among zeros at the full width.
     */
    Tensor gatherFeatures(Tensor x, int axis, int[] index);

    /**
     * A scope for one unit of work (a batch): native temporaries the backend made inside it are freed
     * when it closes, instead of waiting for the garbage collector (which does not see their size).
     * Tensors that must outlive it are copied out first (e.g. downloaded).
     */
    default AutoCloseable workScope() {
        return () -> { };
    }

    /** The operations the LRP engine needs on this device. */
    LrpOps lrp();

    /** Releases handles and caches; tensors made by this backend must be closed before. */
    @Override
    void close();
}
