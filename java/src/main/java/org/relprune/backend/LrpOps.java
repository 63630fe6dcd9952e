package org.relprune.backend;

import java.util.List;
import org.relprune.tensor.Shape;
import org.relprune.tensor.Tensor;

/**
 * What the LRP engine needs from a backend besides the forward operations: the adjoints of the
 * linear maps (the dense step of every LRP rule) and the elementwise stages around them.
 * Tensors are batch first; "stacked" means concatenated along the feature axis given as
 * {@code axis}: 1 (channels) for convolutions, the last axis (-1) for linear maps; per-feature
 * vectors (biases) run along that axis.
 */
public interface LrpOps {
    /** W^T s for a convolution: s [n, cout, oh, ow] -> [n, cin, h, w] with {@code input} = [n, cin, h, w]. */
    Tensor convAdjoint(Tensor s, Tensor w, Conv2dSpec spec, Shape input);

    /** W^T s for a linear map over the last axis: s [..., out], w [out, in] -> [..., in]. */
    Tensor linearAdjoint(Tensor s, Tensor w);

    /** Relevance of a max pool to the winner of each window (added where windows share a winner). */
    Tensor maxPoolWinners(Tensor relevance, Tensor x, Pool2dSpec spec);

    /** The adjoint (transpose) of average or adaptive average pooling applied to g. */
    Tensor avgPoolAdjoint(Tensor g, Shape input, Pool2dSpec spec);

    Tensor adaptiveAvgPoolAdjoint(Tensor g, Shape input);

    /**
     * The signals of a rule, stacked: for each spec, coefficient * mask(z) * R / stab(den, eps) with
     * den = cz*z + cu*u + cb*b + cbp*b+ + cbn*b- + cOffset*offset (b, b+, b- per feature of
     * {@code axis}; offset a tensor like z, or null). With {@code readoutGroup} > 0 the same pass
     * also reads out R per feature: summed (and |R| summed) over the trailing axes and over each
     * run of {@code readoutGroup} consecutive rows before the feature axis: for a convolution's
     * [n, c, h, w] with group 1 that is [n, c] (spatial sums), for tokens [b, t, d] with group t
     * it is [b, d] (token sums).
     */
    Signals signals(Tensor relevance, Tensor z, Tensor u, Tensor bias, Tensor offset, List<SignalSpec> specs, int axis, int readoutGroup);

    /** The stacked signals and, when asked for, the read-outs of R (else null). */
    record Signals(Tensor stacked, Tensor sums, Tensor absSums) {
    }

    /** sum_t factor_t * g_t over the k stacked blocks g_t of g (each shaped like x), factor_t from x. */
    Tensor combine(Tensor g, Tensor x, List<CombineTerm> terms, int axis);

    /** Norm rule of a sum or average: x_i * g, the adjoint already applied to R / stab(out). */
    Tensor stabilizedDivide(Tensor numerator, Tensor denominator, double epsilon);

    Tensor multiply(Tensor a, Tensor b);

    /** x * numerator / stab(denominator, eps) in one pass: LRP-0 (epsilon) through a sum or a layer held linear. */
    Tensor ratio(Tensor numerator, Tensor denominator, Tensor x, double epsilon);

    /** Whether every element is >= 0 (then x- = 0 and the rules' x- terms vanish). */
    boolean nonNegative(Tensor x);

    /** [x+, x-] stacked, for the signed-input terms. */
    Tensor splitSigns(Tensor x, int axis);

    /** Sum over every axis after the first two: [n, c, ...] -> [n, c]; with abs, of |x|. */
    Tensor sumPerChannel(Tensor x, boolean abs);

    /** Sum over the token axis of [n, tokens, features] -> [n, features]; with abs, of |x|. */
    Tensor sumOverTokens(Tensor x, boolean abs);

    /** One-hot rows [n, classes] for the given targets. */
    Tensor oneHot(int[] targets, int classes);

    /** The one-hot rows on the host, each target checked against the classes. */
    static org.relprune.tensor.HostTensor oneHotRows(int[] targets, int classes) {
        float[] v = new float[targets.length * classes];
        for (int i = 0; i < targets.length; i++) {
            if (targets[i] < 0 || targets[i] >= classes) {
                throw new IllegalArgumentException("target class " + targets[i] + " of sample " + i + " is outside 0.." + (classes - 1));
            }
            v[i * classes + targets[i]] = 1f;
        }
        return org.relprune.tensor.HostTensor.of(v, targets.length, classes);
    }

    Tensor zerosLike(Tensor x);

    /** A tensor of the given shape filled with one value. */
    Tensor full(Shape shape, double value);

    Tensor concat(List<Tensor> parts, int axis);

    /** Relevance of the patch grid from the token relevance ratio g [b, 1+G, d] (class token dropped): [b, d, gh, gw]. */
    Tensor tokensToPatchGrid(Tensor g, Shape patches);

    /** r [b, d] placed at token {@code index} of a zero tensor shaped {@code input} [b, n, d]. */
    Tensor scatterToken(Tensor r, int index, Shape input);

    /**
     * Adjoint of LayerNorm with its standard deviation held constant, applied to g (= R / y):
     * centre(gamma * g / sigma(x)) over the last axis.
     */
    default Tensor layerNormAdjoint(Tensor g, Tensor x, Tensor gamma, float eps) {
        try (org.relprune.tensor.TensorScope scope = org.relprune.tensor.TensorScope.open()) {
            return scope.keep(layerNormAdjoint(g, layerNormScale(x, gamma, eps)));
        }
    }

    /**
     * gamma / sigma(x), sigma over the last axis of x [..., d]: the factor of the LayerNorm adjoint
     * that depends only on the input, so an explainer of many composites computes it once.
     */
    Tensor layerNormScale(Tensor x, Tensor gamma, float eps);

    /** centre(g * scale) over the last axis, scale from {@link #layerNormScale}. */
    Tensor layerNormAdjoint(Tensor g, Tensor scale);

    /**
     * Relevance through the attention core out = merge_h(softmax(Q_h K_h^T / sqrt(dh)) V_h), in
     * LXT's activation x gradient form: g = R / stab(out, eps) is the gradient at the output and
     * every relevance below is an activation times a (modified) gradient.
     * {@link AttentionMode#CONSTANT_WEIGHTS} (CP-LRP): A held constant, R_V = V * A^T g, nothing
     * to Q and K. {@link AttentionMode#SOFTMAX_BILINEAR} (AttnLRP): both products split their
     * relevance 50/50 between the operands (gradient halved at each), the softmax rule
     * R_S = S * (R_A - A * sum_keys R_A) (the softmax's own gradient); so R_V = V * A^T g / 2 and
     * R_Q, R_K carry a quarter of the gradient. qkv [b, n, 3d] is the packed in-projection
     * output, out and r [b, n, d]. Head read-outs [b, heads]: under CP-LRP of R at the output
     * summed over the head's channels, under AttnLRP of R_A (the softmax output) summed over keys;
     * then summed over queries (signed, and of the absolute values).
     */
    default AttentionRelevance attention(Tensor qkv, Tensor out, Tensor r, int heads, AttentionMode mode, double epsilon) {
        try (org.relprune.tensor.TensorScope scope = org.relprune.tensor.TensorScope.open()) {
            AttentionRelevance a = attention(qkv, attentionWeights(qkv, heads), out, r, heads, mode, epsilon);
            return new AttentionRelevance(scope.keep(a.qkv()), scope.keep(a.heads()), scope.keep(a.headsAbs()));
        }
    }

    /**
     * The attention weights A = softmax(Q_h K_h^T / sqrt(dh)) [b, heads, n, n] of the packed qkv
     * [b, n, 3d]. They depend only on the input: an explainer of many composites computes them once.
     */
    Tensor attentionWeights(Tensor qkv, int heads);

    /** {@link #attention(Tensor, Tensor, Tensor, int, AttentionMode, double)} with A given (from {@link #attentionWeights}). */
    AttentionRelevance attention(Tensor qkv, Tensor weights, Tensor out, Tensor r, int heads, AttentionMode mode, double epsilon);

    /** How relevance crosses the attention core. */
    enum AttentionMode { CONSTANT_WEIGHTS, SOFTMAX_BILINEAR }

    /** The relevance of the packed qkv [b, n, 3d], and the head read-outs [b, heads]. */
    record AttentionRelevance(Tensor qkv, Tensor heads, Tensor headsAbs) {
    }

    /** Weights built once per rule and layer: W+, W-, W^2, ones, each like w. */
    Tensor weightPart(Tensor w, WeightPart part);

    enum WeightPart { POSITIVE, NEGATIVE, SQUARE, ONES }

    /** Mask of a signal: all outputs, only those with z > 0, or only z < 0. */
    enum Mask { ALL, POSITIVE, NEGATIVE }

    /**
     * One signal s = coefficient * R / (denominator + epsilon), masked: the denominator is
     * cz z + cu u + cb b + cbp b+ + cbn b- + cOffset offset.
     */
    record SignalSpec(double coefficient, Mask mask, Denominator denominator, double epsilon) {
        public static SignalSpec of(double coefficient, Mask mask, double cz, double cu, double cb, double cbp, double cbn, double cOffset,
                                    double epsilon) {
            return new SignalSpec(coefficient, mask, new Denominator(cz, cu, cb, cbp, cbn, cOffset), epsilon);
        }

        public double cz() {
            return denominator.z();
        }

        public double cu() {
            return denominator.u();
        }

        public double cb() {
            return denominator.bias();
        }

        public double cbp() {
            return denominator.biasPositive();
        }

        public double cbn() {
            return denominator.biasNegative();
        }

        public double cOffset() {
            return denominator.offset();
        }
    }

    /** The coefficients of a signal's denominator: of z, u, the bias, its positive and negative parts, and the offset. */
    record Denominator(double z, double u, double bias, double biasPositive, double biasNegative, double offset) {
    }

    /** Factor of one stacked block: x, x+, x-, a constant, or x plus a constant. */
    record CombineTerm(Factor factor, double constant) {
        /** X_PLUS: x + the constant. */
        public enum Factor { X, X_POS, X_NEG, CONSTANT, X_PLUS }
    }
}
