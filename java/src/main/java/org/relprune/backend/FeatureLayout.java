package org.relprune.backend;

import org.relprune.tensor.Shape;

/**
 * A tensor seen as [outer, c, inner] around its feature axis (the layout of the native LRP
 * kernels): a convolution's [n, c, h, w] with axis 1 is outer = n, inner = h*w; a dense
 * layer's [..., c] with axis -1 is outer = the leading dims, inner = 1.
 */
public record FeatureLayout(long outer, long c, long inner) {
    public static FeatureLayout of(Shape shape, int axis) {
        int a = axis < 0 ? shape.rank() + axis : axis;
        if (a < 0 || a >= shape.rank()) {
            throw new IllegalArgumentException("feature axis " + axis + " is outside " + shape);
        }
        long outer = 1;
        long inner = 1;
        for (int i = 0; i < a; i++) {
            outer *= shape.dim(i);
        }
        for (int i = a + 1; i < shape.rank(); i++) {
            inner *= shape.dim(i);
        }
        return new FeatureLayout(outer, shape.dim(a), inner);
    }

    /**
     * The layout of a rule's signals, checked: relevance, u and offset (each may be null but
     * relevance) shaped like z, the bias one value per feature, the read-out group dividing the
     * rows (when read-outs are asked for, group > 0).
     */
    public static FeatureLayout forSignals(org.relprune.tensor.Tensor relevance, org.relprune.tensor.Tensor z, org.relprune.tensor.Tensor u,
                                           org.relprune.tensor.Tensor bias, org.relprune.tensor.Tensor offset, int axis, int readoutGroup) {
        Shape zs = z.shape();
        OpShapes.sameShape("relevance", relevance, zs);
        OpShapes.sameShape("u", u, zs);
        OpShapes.sameShape("offset", offset, zs);
        FeatureLayout f = of(zs, axis);
        if (bias != null && bias.numel() != f.c()) {
            throw new IllegalArgumentException("bias has " + bias.numel() + " values but z has " + f.c() + " features on axis " + axis);
        }
        if (readoutGroup > 0 && f.outer() % readoutGroup != 0) {
            throw new IllegalArgumentException("read-out group " + readoutGroup + " does not divide the " + f.outer() + " rows of " + zs);
        }
        return f;
    }

    /** The shape with the feature axis {@code k} times as wide: k blocks stacked along it. */
    public static Shape stacked(Shape shape, int axis, int k) {
        long[] dims = shape.dims();
        dims[axis < 0 ? shape.rank() + axis : axis] *= k;
        return Shape.of(dims);
    }

    /** The signal specs as the kernels take them: {@code RP_LRP_SIGNAL_FIELDS} doubles each (relprune.h). */
    public static double[] packSignals(java.util.List<LrpOps.SignalSpec> specs) {
        final int fields = 9;
        double[] packed = new double[specs.size() * fields];
        for (int t = 0; t < specs.size(); t++) {
            LrpOps.SignalSpec sp = specs.get(t);
            double mask = switch (sp.mask()) {
                case ALL -> 0;
                case POSITIVE -> 1;
                case NEGATIVE -> -1;
            };
            System.arraycopy(new double[] {sp.coefficient(), mask, sp.cz(), sp.cu(), sp.cb(), sp.cbp(), sp.cbn(), sp.cOffset(), sp.epsilon()},
                    0, packed, t * fields, fields);
        }
        return packed;
    }

    /** The combine terms as the kernels take them: {factor, constant} per term (relprune.h). */
    public static double[] packTerms(java.util.List<LrpOps.CombineTerm> terms) {
        double[] packed = new double[2 * terms.size()];
        for (int t = 0; t < terms.size(); t++) {
            LrpOps.CombineTerm term = terms.get(t);
            packed[2 * t] = switch (term.factor()) {
                case X -> 0;
                case X_POS -> 1;
                case X_NEG -> 2;
                case CONSTANT -> 3;
                case X_PLUS -> 4;
            };
            packed[2 * t + 1] = term.constant();
        }
        return packed;
    }
}
