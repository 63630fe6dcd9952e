package org.relprune.lrp.composite;

import org.relprune.lrp.Rule;

/**
 * The rule half of the spec grammar, written as one table so that the canonical form
 * ({@link #format}) and the checks a composite must pass ({@link #check}) cannot drift apart:
 * a composite only holds rules the grammar can express, so {@link Composite#spec()} always parses
 * back to an equal composite.
 */
final class RuleSpecs {
    /** What the parser lists when a rule name is unknown. */
    static final String USAGE = "epsilon[:EPS], zplus, alphabeta:A[:B], gamma:G, zbox:LOW:HIGH, flat, wsquare";

    private RuleSpecs() {}

    /** Canonical text of a rule: its name and every parameter, numbers in their shortest form. */
    static String format(Rule rule) {
        if (rule instanceof Rule.Epsilon r) {
            return "epsilon:" + SpecNumbers.format(r.epsilon());
        } else if (rule instanceof Rule.ZPlus) {
            return "zplus";
        } else if (rule instanceof Rule.AlphaBeta r) {
            return "alphabeta:" + SpecNumbers.format(r.alpha()) + ":" + SpecNumbers.format(r.beta());
        } else if (rule instanceof Rule.Gamma r) {
            return "gamma:" + SpecNumbers.format(r.gamma());
        } else if (rule instanceof Rule.ZBox r) {
            return "zbox:" + SpecNumbers.format(r.low()) + ":" + SpecNumbers.format(r.high());
        } else if (rule instanceof Rule.Flat) {
            return "flat";
        } else if (rule instanceof Rule.WSquare) {
            return "wsquare";
        }
        throw new IllegalStateException("unhandled rule " + rule);
    }

    /**
     * Rejects rules the grammar cannot write: non-finite or negative epsilon, non-finite
     * parameters, and a stabilizer other than {@link Rule#DEFAULT_STABILIZER} (the grammar has no
     * place for it). The Rule records already check gamma >= 0, alpha - beta = 1, low < high.
     */
    static void check(String key, Rule rule) {
        double stabilizer = Rule.DEFAULT_STABILIZER;
        boolean finite = true;
        if (rule instanceof Rule.Epsilon r) {
            finite = Double.isFinite(r.epsilon());
            if (finite && r.epsilon() < 0) {
                throw new CompositeException(key + "=" + format(rule) + ": epsilon must be >= 0");
            }
        } else if (rule instanceof Rule.ZPlus r) {
            stabilizer = r.stabilizer();
        } else if (rule instanceof Rule.AlphaBeta r) {
            stabilizer = r.stabilizer();
            finite = Double.isFinite(r.alpha()) && Double.isFinite(r.beta());
        } else if (rule instanceof Rule.Gamma r) {
            stabilizer = r.stabilizer();
            finite = Double.isFinite(r.gamma());
        } else if (rule instanceof Rule.ZBox r) {
            stabilizer = r.stabilizer();
            finite = Double.isFinite(r.low()) && Double.isFinite(r.high());
        } else if (rule instanceof Rule.Flat r) {
            stabilizer = r.stabilizer();
        } else if (rule instanceof Rule.WSquare r) {
            stabilizer = r.stabilizer();
        }
        if (!finite) {
            throw new CompositeException(key + "=" + format(rule) + ": parameters must be finite numbers");
        }
        if (stabilizer != Rule.DEFAULT_STABILIZER) {
            throw new CompositeException(key + "=" + format(rule) + ": stabilizer " + SpecNumbers.format(stabilizer)
                    + " cannot be written in a spec string; composites use the default " + SpecNumbers.format(Rule.DEFAULT_STABILIZER));
        }
    }
}
