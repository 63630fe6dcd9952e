package org.relprune.lrp;

import java.util.List;
import java.util.function.Supplier;
import org.relprune.backend.Backend;
import org.relprune.backend.LrpOps.CombineTerm.Factor;
import org.relprune.backend.LrpOps.CombineTerm;
import org.relprune.backend.LrpOps.Mask;
import org.relprune.backend.LrpOps.SignalSpec;
import org.relprune.backend.LrpOps.Signals;
import org.relprune.backend.LrpOps.WeightPart;
import org.relprune.backend.LrpOps;
import org.relprune.tensor.Shape;
import org.relprune.tensor.Tensor;

/**
 * The one place where a rule becomes computation for a linear layer z = W x + b. Every rule is
 * the same three steps: (1) signals s_k = c_k * mask_k(z) * R / stab(den_k), with den_k a linear
 * combination of the cached z, u = W+ x+ + W- x- and the bias parts (no forward pass);
 * (2) one adjoint of the signals, stacked, through a stacked weight M built once per rule and
 * layer; (3) R_in = sum_t f_t(x) * G_t over the stacked blocks of the result.
 */
final class LinearRelevance {
    private final Backend backend;
    private final RuleWeights stacks;

    private final boolean ownStacks;

    /** {@code stacks}: where the stacked weights are kept, typically the model's {@link RuleWeights#of}. */
    LinearRelevance(Backend backend, RuleWeights stacks) {
        this.backend = backend;
        this.stacks = stacks;
        this.ownStacks = false;
    }

    /** With a cache of its own, freed by {@link #clear}. */
    LinearRelevance(Backend backend) {
        this.backend = backend;
        this.stacks = new RuleWeights(Long.MAX_VALUE);
        this.ownStacks = true;
    }

    /** Frees the stacked weights of a cache of its own. */
    void clear() {
        if (ownStacks) {
            stacks.close();
        }
    }

    /** What a rule needs from the forward cache besides x and z. */
    static boolean needsU(Rule rule) {
        return rule instanceof Rule.ZPlus || rule instanceof Rule.AlphaBeta || rule instanceof Rule.Gamma;
    }

    /** Relevance at the layer input, and the read-outs of the output relevance (null unless asked for). */
    record Result(Tensor relevance, Tensor sums, Tensor absSums) {
    }

    /**
     * @param x            the layer input [n, cin, ...]
     * @param z            the layer output W x + b [n, cout, ...]
     * @param u            W+ x+ + W- x- (only for rules that need it)
     * @param r            relevance at the output
     * @param xNonNegative x >= 0 everywhere (after a ReLU, say): x- = 0, so the x- half of the
     *                     stacked adjoint is skipped (same result, half the work)
     * @param readoutGroup read out r per feature in the signals pass (see {@link LrpOps#signals}); 0 for none
     */
    Result propagate(LinearLayerView layer, Rule rule, Tensor x, Tensor z, Tensor u, Tensor r, boolean xNonNegative, int readoutGroup) {
        LrpOps ops = backend.lrp();
        Tensor w = layer.weight();
        Tensor b = layer.bias();
        Shape xs = x.shape();
        int axis = layer.axis();
        if (rule instanceof Rule.Epsilon e) {
            Signals s = ops.signals(r, z, null, b, null, List.of(signal(1, Mask.ALL, 1, 0, 0, 0, 0, 0, e.epsilon())), axis, readoutGroup);
            return result(ops.combine(layer.adjoint(backend, s.stacked(), w, xs), x, List.of(term(Factor.X)), axis), s);
        }
        if (rule instanceof Rule.ZPlus p) {
            Signals s = ops.signals(r, z, u, b, null, List.of(signal(1, Mask.ALL, 0, 1, 0, 1, 0, 0, p.stabilizer())), axis, readoutGroup);
            if (xNonNegative) {
                Tensor m = stack(layer, POSITIVE_WEIGHTS, () -> part(w, WeightPart.POSITIVE));
                return result(ops.combine(layer.adjoint(backend, s.stacked(), m, xs), x, List.of(term(Factor.X)), axis), s);
            }
            Tensor m = stack(layer, SIGN_PARTS, () -> rowBlocks(List.of(List.of(part(w, WeightPart.POSITIVE), part(w, WeightPart.NEGATIVE)))));
            return result(ops.combine(layer.adjoint(backend, s.stacked(), m, doubled(xs, 2, axis)), x, List.of(term(Factor.X_POS), term(Factor.X_NEG)), axis), s);
        }
        if (rule instanceof Rule.AlphaBeta || rule instanceof Rule.Gamma) {
            List<SignalSpec> specs;
            Supplier<Tensor[]> pair; // the weights seen by x+ through the two signals: [W_1, W_2]
            if (rule instanceof Rule.AlphaBeta ab) {
                // zp = u + b+ ; zn = (W- x+ + W+ x-) + b- = z - b - u + b-
                specs = List.of(signal(ab.alpha(), Mask.ALL, 0, 1, 0, 1, 0, 0, ab.stabilizer()),
                        signal(-ab.beta(), Mask.ALL, 1, -1, -1, 0, 1, 0, ab.stabilizer()));
                pair = () -> new Tensor[] {part(w, WeightPart.POSITIVE), part(w, WeightPart.NEGATIVE)};
            } else {
                double gm = ((Rule.Gamma) rule).gamma();
                // zp = z + g (u + b+) where z > 0 ; zn = z + g (z - b - u + b-) where z < 0
                specs = List.of(signal(1, Mask.POSITIVE, 1, gm, 0, gm, 0, 0, ((Rule.Gamma) rule).stabilizer()),
                        signal(1, Mask.NEGATIVE, 1 + gm, -gm, -gm, 0, gm, 0, ((Rule.Gamma) rule).stabilizer()));
                pair = () -> new Tensor[] {backend.add(w, scaled(part(w, WeightPart.POSITIVE), gm)), backend.add(w, scaled(part(w, WeightPart.NEGATIVE), gm))};
            }
            Signals s = ops.signals(r, z, u, b, null, specs, axis, readoutGroup);
            if (xNonNegative) {
                // x+ = x: only the first column of [[W_1, W_2], [W_2, W_1]] meets a non-zero input
                Tensor m = stack(layer, new NonNegative(rule), () -> {
                    Tensor[] wp = pair.get();
                    return rowBlocks(List.of(List.of(wp[0]), List.of(wp[1])));
                });
                return result(ops.combine(layer.adjoint(backend, s.stacked(), m, xs), x, List.of(term(Factor.X)), axis), s);
            }
            Tensor m = stack(layer, rule, () -> {
                Tensor[] wp = pair.get();
                return rowBlocks(List.of(List.of(wp[0], wp[1]), List.of(wp[1], wp[0])));
            });
            return result(ops.combine(layer.adjoint(backend, s.stacked(), m, doubled(xs, 2, axis)), x, List.of(term(Factor.X_POS), term(Factor.X_NEG)), axis), s);
        }
        if (rule instanceof Rule.ZBox box) {
            Tensor offset = constantResponse(layer, xs, box);
            Signals s = ops.signals(r, z, null, b, offset, List.of(signal(1, Mask.ALL, 1, 0, -1, 0, 0, -1, box.stabilizer())), axis, readoutGroup);
            // x W^T s - l W+^T s - h W-^T s = (x - l) W+^T s + (x - h) W-^T s, as W = W+ + W-: two
            // stacked blocks instead of three (the first layer's adjoint is a large one)
            Tensor m = stack(layer, SIGN_PARTS, () -> rowBlocks(List.of(List.of(part(w, WeightPart.POSITIVE), part(w, WeightPart.NEGATIVE)))));
            return result(ops.combine(layer.adjoint(backend, s.stacked(), m, doubled(xs, 2, axis)), x,
                    List.of(new CombineTerm(Factor.X_PLUS, -box.low()), new CombineTerm(Factor.X_PLUS, -box.high())), axis), s);
        }
        if (rule instanceof Rule.Flat || rule instanceof Rule.WSquare) {
            boolean flat = rule instanceof Rule.Flat;
            double eps = flat ? ((Rule.Flat) rule).stabilizer() : ((Rule.WSquare) rule).stabilizer();
            Tensor m = stack(layer, rule, () -> part(w, flat ? WeightPart.ONES : WeightPart.SQUARE));
            Tensor den = stack(layer, new Denominator(rule, xs), () -> layer.forward(backend, ones(xs), m));
            Signals s = ops.signals(r, z, null, null, den, List.of(signal(1, Mask.ALL, 0, 0, 0, 0, 0, 1, eps)), axis, readoutGroup);
            return result(ops.combine(layer.adjoint(backend, s.stacked(), m, xs), x, List.of(new CombineTerm(Factor.CONSTANT, 1)), axis), s);
        }
        throw new IllegalArgumentException("rule " + rule.spec() + " cannot be applied to linear layer " + layer.name());
    }

    private static Result result(Tensor relevance, Signals s) {
        return new Result(relevance, s.sums(), s.absSums());
    }

    /**
     * Keys of weights that depend on the layer alone, shared by every rule and by the attributor's
     * u = W+ x+ + W- x- (its stacks are the same tensors): W+, and [W+, W-] stacked along the input.
     */
    static final String POSITIVE_WEIGHTS = "W+";
    static final String SIGN_PARTS = "[W+,W-]";

    /** Key for the stacked weight of a rule applied to a non-negative input. */
    private record NonNegative(Rule rule) {
    }

    /** Key for input-independent tensors that also depend on the input shape. */
    private record Denominator(Rule rule, Shape input) {
    }

    /**
     * W+ l + W- h over an input filled with the bounds (zero padding included, as the reference):
     * the same for every sample, so computed for one and repeated over the batch.
     */
    private Tensor constantResponse(LinearLayerView layer, Shape xs, Rule.ZBox box) {
        return stack(layer, new Denominator(box, xs), () -> {
            Shape one = xs.withDim(0, 1);
            Tensor lo = backend.lrp().full(one, box.low());
            Tensor hi = backend.lrp().full(one, box.high());
            Tensor response = backend.add(layer.forward(backend, lo, part(layer.weight(), WeightPart.POSITIVE)),
                    layer.forward(backend, hi, part(layer.weight(), WeightPart.NEGATIVE)));
            return backend.gatherFeatures(response, 0, new int[(int) xs.dim(0)]); // sample 0, n times
        });
    }

    private Tensor stack(LinearLayerView layer, Object key, Supplier<Tensor> build) {
        return stacks.get(layer.name() + "|" + key, build);
    }

    /** Block matrix of weights: rows stacked along the output axis, columns along the input axis. */
    private Tensor rowBlocks(List<List<Tensor>> rows) {
        LrpOps ops = backend.lrp();
        List<Tensor> r = rows.stream().map(cols -> cols.size() == 1 ? cols.get(0) : ops.concat(cols, 1)).toList();
        return r.size() == 1 ? r.get(0) : ops.concat(r, 0);
    }

    private Tensor part(Tensor w, WeightPart p) {
        return backend.lrp().weightPart(w, p);
    }

    private Tensor scaled(Tensor t, double factor) {
        return backend.lrp().combine(t, t, List.of(new CombineTerm(Factor.CONSTANT, factor)), 1);
    }

    private Tensor ones(Shape shape) {
        return backend.lrp().full(shape, 1);
    }

    private static Shape doubled(Shape xs, int times, int axis) {
        return xs.withDim(axis, xs.dim(axis) * times);
    }

    private static SignalSpec signal(double coef, Mask mask, double cz, double cu, double cb, double cbp, double cbn, double cOffset, double eps) {
        return SignalSpec.of(coef, mask, cz, cu, cb, cbp, cbn, cOffset, eps);
    }

    private static CombineTerm term(Factor f) {
        return new CombineTerm(f, 1);
    }

}
