package org.relprune.lrp;

/**
 * An LRP rule for a linear map z = W x + b (convolution or dense layer): configuration only; the
 * propagation lives in one place ({@link LinearRelevance}). Semantics as in ../shared/SPEC.md
 * ("LRP: the rules"); stab(z) = z + eps * sgn(z) with sgn(0) = +1.
 */
public sealed interface Rule {
    double DEFAULT_STABILIZER = 1e-6;

    /** Spec-string form, e.g. "gamma:0.25". */
    String spec();

    /** s = R / stab(z); R_in = x * (W^T s). */
    record Epsilon(double epsilon) implements Rule {
        public String spec() {
            return "epsilon:" + epsilon;
        }
    }

    /** z' = W+ x+ + b+ + W- x-; R_in = x+ * (W+^T s) + x- * (W-^T s). */
    record ZPlus(double stabilizer) implements Rule {
        public String spec() {
            return "zplus";
        }
    }

    /** alpha - beta = 1: positive and negative contributions propagated separately. */
    record AlphaBeta(double alpha, double beta, double stabilizer) implements Rule {
        public AlphaBeta {
            if (Math.abs(alpha - beta - 1) > 1e-9 || beta < 0) {
                throw new IllegalArgumentException("alphabeta needs alpha - beta = 1 and beta >= 0, got " + alpha + ", " + beta);
            }
        }

        public String spec() {
            return "alphabeta:" + alpha + ":" + beta;
        }
    }

    /** Generalized gamma: W + gamma W+ for the positive outputs, W + gamma W- for the negative ones. */
    record Gamma(double gamma, double stabilizer) implements Rule {
        public Gamma {
            if (gamma < 0) {
                throw new IllegalArgumentException("gamma must be >= 0, got " + gamma);
            }
        }

        public String spec() {
            return "gamma:" + gamma;
        }
    }

    /** Bounded input in [low, high] (first layer): z' = W x - W+ l - W- h. */
    record ZBox(double low, double high, double stabilizer) implements Rule {
        public ZBox {
            if (!(low < high)) {
                throw new IllegalArgumentException("zbox needs low < high, got " + low + ", " + high);
            }
        }

        public String spec() {
            return "zbox:" + low + ":" + high;
        }
    }

    /** W replaced by ones, input ignored. */
    record Flat(double stabilizer) implements Rule {
        public String spec() {
            return "flat";
        }
    }

    /** W replaced by W^2, input ignored. */
    record WSquare(double stabilizer) implements Rule {
        public String spec() {
            return "wsquare";
        }
    }
}
