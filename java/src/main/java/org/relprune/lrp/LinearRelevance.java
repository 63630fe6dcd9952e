package org.relprune.lrp;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.relprune.backend.Backend;
import org.relprune.backend.LrpOps;
import org.relprune.backend.LrpOps.CombineTerm;
import org.relprune.backend.LrpOps.CombineTerm.Factor;
import org.relprune.backend.LrpOps.Mask;
import org.relprune.backend.LrpOps.SignalSpec;
import org.relprune.backend.LrpOps.WeightPart;
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
    private final Map<String, Tensor> stacks = new HashMap<>();

    LinearRelevance(Backend backend) {
        this.backend = backend;
    }

    /** What a rule needs from the forward cache besides x and z. */
    static boolean needsU(Rule rule) {
        return rule instanceof Rule.ZPlus || rule instanceof Rule.AlphaBeta || rule instanceof Rule.Gamma;
    }

    /**
     * @param x  the layer input [n, cin, ...]
     * @param z  the layer output W x + b [n, cout, ...]
     * @param u  W+ x+ + W- x- (only for rules that need it)
     * @param r  relevance at the output
     */
    Tensor propagate(LinearLayerView layer, Rule rule, Tensor x, Tensor z, Tensor u, Tensor r) {
        LrpOps ops = backend.lrp();
        Tensor w = layer.weight();
        Tensor b = layer.bias();
        Shape xs = x.shape();
        if (rule instanceof Rule.Epsilon e) {
            Tensor s = ops.signals(r, z, null, b, null, List.of(signal(1, Mask.ALL, 1, 0, 0, 0, 0, 0, e.epsilon())), layer.axis());
            return ops.combine(layer.adjoint(backend, s, w, xs), x, List.of(term(Factor.X)), layer.axis());
        }
        if (rule instanceof Rule.ZPlus p) {
            Tensor s = ops.signals(r, z, u, b, null, List.of(signal(1, Mask.ALL, 0, 1, 0, 1, 0, 0, p.stabilizer())), layer.axis());
            Tensor m = stack(layer, rule, () -> rowBlocks(List.of(List.of(part(w, WeightPart.POSITIVE), part(w, WeightPart.NEGATIVE)))));
            return ops.combine(layer.adjoint(backend, s, m, doubled(xs, 2, layer.axis())), x, List.of(term(Factor.X_POS), term(Factor.X_NEG)), layer.axis());
        }
        if (rule instanceof Rule.AlphaBeta ab) {
            // zp = u + b+ ; zn = (W- x+ + W+ x-) + b- = z - b - u + b-
            Tensor s = ops.signals(r, z, u, b, null, List.of(
                    signal(ab.alpha(), Mask.ALL, 0, 1, 0, 1, 0, 0, ab.stabilizer()),
                    signal(-ab.beta(), Mask.ALL, 1, -1, -1, 0, 1, 0, ab.stabilizer())), layer.axis());
            Tensor m = stack(layer, rule, () -> {
                Tensor wp = part(w, WeightPart.POSITIVE);
                Tensor wn = part(w, WeightPart.NEGATIVE);
                return rowBlocks(List.of(List.of(wp, wn), List.of(wn, wp)));
            });
            return ops.combine(layer.adjoint(backend, s, m, doubled(xs, 2, layer.axis())), x, List.of(term(Factor.X_POS), term(Factor.X_NEG)), layer.axis());
        }
        if (rule instanceof Rule.Gamma g) {
            double gm = g.gamma();
            // zp = z + g (u + b+) where z > 0 ; zn = z + g (z - b - u + b-) where z < 0
            Tensor s = ops.signals(r, z, u, b, null, List.of(
                    signal(1, Mask.POSITIVE, 1, gm, 0, gm, 0, 0, g.stabilizer()),
                    signal(1, Mask.NEGATIVE, 1 + gm, -gm, -gm, 0, gm, 0, g.stabilizer())), layer.axis());
            Tensor m = stack(layer, rule, () -> {
                Tensor wp = backend.add(w, scaled(part(w, WeightPart.POSITIVE), gm));
                Tensor wn = backend.add(w, scaled(part(w, WeightPart.NEGATIVE), gm));
                return rowBlocks(List.of(List.of(wp, wn), List.of(wn, wp)));
            });
            return ops.combine(layer.adjoint(backend, s, m, doubled(xs, 2, layer.axis())), x, List.of(term(Factor.X_POS), term(Factor.X_NEG)), layer.axis());
        }
        if (rule instanceof Rule.ZBox box) {
            Tensor offset = constantResponse(layer, xs, box);
            Tensor s = ops.signals(r, z, null, b, offset, List.of(signal(1, Mask.ALL, 1, 0, -1, 0, 0, -1, box.stabilizer())), layer.axis());
            Tensor m = stack(layer, rule, () -> rowBlocks(List.of(List.of(w, part(w, WeightPart.POSITIVE), part(w, WeightPart.NEGATIVE)))));
            return ops.combine(layer.adjoint(backend, s, m, doubled(xs, 3, layer.axis())), x, List.of(term(Factor.X), new CombineTerm(Factor.CONSTANT, -box.low()), new CombineTerm(Factor.CONSTANT, -box.high())), layer.axis());
        }
        if (rule instanceof Rule.Flat || rule instanceof Rule.WSquare) {
            boolean flat = rule instanceof Rule.Flat;
            double eps = flat ? ((Rule.Flat) rule).stabilizer() : ((Rule.WSquare) rule).stabilizer();
            Tensor m = stack(layer, rule, () -> part(w, flat ? WeightPart.ONES : WeightPart.SQUARE));
            Tensor den = stack(layer, new Denominator(rule, xs), () -> layer.forward(backend, ones(xs), m));
            Tensor s = ops.signals(r, z, null, null, den, List.of(signal(1, Mask.ALL, 0, 0, 0, 0, 0, 1, eps)), layer.axis());
            return ops.combine(layer.adjoint(backend, s, m, xs), x, List.of(new CombineTerm(Factor.CONSTANT, 1)), layer.axis());
        }
        throw new IllegalArgumentException("rule " + rule.spec() + " cannot be applied to linear layer " + layer.name());
    }

    /** Key for input-independent tensors that also depend on the input shape. */
    private record Denominator(Rule rule, Shape input) {
    }

    /** W+ l + W- h over an input filled with the bounds (zero padding included, as the reference). */
    private Tensor constantResponse(LinearLayerView layer, Shape xs, Rule.ZBox box) {
        return stack(layer, new Denominator(box, xs), () -> {
            Tensor lo = backend.lrp().full(xs, box.low());
            Tensor hi = backend.lrp().full(xs, box.high());
            return backend.add(layer.forward(backend, lo, part(layer.weight(), WeightPart.POSITIVE)),
                    layer.forward(backend, hi, part(layer.weight(), WeightPart.NEGATIVE)));
        });
    }

    private Tensor stack(LinearLayerView layer, Object key, java.util.function.Supplier<Tensor> build) {
        String k = layer.name() + "|" + key;
        Tensor t = stacks.get(k);
        if (t == null) {
            try (org.relprune.tensor.TensorScope scope = org.relprune.tensor.TensorScope.open()) {
                t = org.relprune.tensor.TensorScope.detach(build.get());
            }
            stacks.put(k, t);
        }
        return t;
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
        return new SignalSpec(coef, mask, cz, cu, cb, cbp, cbn, cOffset, eps);
    }

    private static CombineTerm term(Factor f) {
        return new CombineTerm(f, 1);
    }

    /** Frees the stacked weights; call when the trial (composite) is done. */
    void clear() {
        stacks.values().forEach(Tensor::close);
        stacks.clear();
    }
}
