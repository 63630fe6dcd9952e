package org.relprune.lrp.composite;

import java.util.List;
import java.util.function.Function;
import org.relprune.lrp.Rule;

/**
 * Parses the value of a rule key ({@code gamma:0.25}, {@code alphabeta:2:1}, ...). Checks the
 * parameters itself, before the Rule records see them, so the error names the token and column
 * instead of surfacing a record's bare IllegalArgumentException.
 */
final class RuleParser {
    /** alpha - beta = 1 up to rounding of decimal input (the tolerance Rule.AlphaBeta uses). */
    private static final double ALPHA_BETA_TOLERANCE = 1e-9;

    private final Function<String, CompositeException> error;

    /** @param error wraps a problem description into the exception (adds the whole spec) */
    RuleParser(Function<String, CompositeException> error) {
        this.error = error;
    }

    Rule parse(SpecToken value, String key) {
        List<SpecToken> parts = value.split(':');
        SpecToken name = parts.get(0);
        List<SpecToken> params = parts.subList(1, parts.size());
        if (name.isEmpty()) {
            throw error.apply("missing rule after '" + key + "=' at column " + name.column() + "; expected one of " + RuleSpecs.USAGE);
        }
        double eps = Rule.DEFAULT_STABILIZER;
        switch (name.text()) {
            case "epsilon": {
                arity(name, params, 0, 1, "epsilon[:EPS]");
                double e = params.isEmpty() ? Rule.DEFAULT_STABILIZER : number(name, params.get(0));
                if (e < 0) {
                    throw error.apply("negative epsilon " + params.get(0).quoted() + ": epsilon must be >= 0");
                }
                return new Rule.Epsilon(e);
            }
            case "zplus":
                arity(name, params, 0, 0, "zplus");
                return new Rule.ZPlus(eps);
            case "flat":
                arity(name, params, 0, 0, "flat");
                return new Rule.Flat(eps);
            case "wsquare":
                arity(name, params, 0, 0, "wsquare");
                return new Rule.WSquare(eps);
            case "gamma": {
                arity(name, params, 1, 1, "gamma:G");
                double g = number(name, params.get(0));
                if (g < 0) {
                    throw error.apply("gamma " + params.get(0).quoted() + " must be >= 0");
                }
                return new Rule.Gamma(g, eps);
            }
            case "alphabeta":
                return alphaBeta(value, name, params);
            case "zbox": {
                arity(name, params, 2, 2, "zbox:LOW:HIGH");
                double low = number(name, params.get(0));
                double high = number(name, params.get(1));
                if (!(low < high)) {
                    throw error.apply("'" + value.text() + "' at column " + value.column() + ": zbox needs LOW < HIGH, got "
                            + params.get(0).text() + " and " + params.get(1).text());
                }
                return new Rule.ZBox(low, high, eps);
            }
            default:
                throw error.apply("unknown rule " + name.quoted() + "; expected one of " + RuleSpecs.USAGE);
        }
    }

    /** alphabeta:A:B with A - B = 1 and B >= 0; alphabeta:A means B = A - 1. */
    private Rule alphaBeta(SpecToken value, SpecToken name, List<SpecToken> params) {
        arity(name, params, 1, 2, "alphabeta:A[:B]");
        double alpha = number(name, params.get(0));
        double beta = params.size() == 2 ? number(name, params.get(1)) : alpha - 1;
        String where = "'" + value.text() + "' at column " + value.column();
        if (Math.abs(alpha - beta - 1) > ALPHA_BETA_TOLERANCE) {
            // with one parameter beta is alpha - 1, which rounds to alpha itself when alpha is huge
            String betaText = params.size() == 2 ? params.get(1).text() : SpecNumbers.format(beta);
            throw error.apply(where + ": alphabeta needs alpha - beta = 1, got alpha " + params.get(0).text()
                    + " and beta " + betaText);
        }
        if (beta < 0) {
            throw error.apply(where + ": alphabeta needs beta >= 0 (alpha >= 1), got beta " + SpecNumbers.format(beta));
        }
        return new Rule.AlphaBeta(alpha, beta, Rule.DEFAULT_STABILIZER);
    }

    private void arity(SpecToken name, List<SpecToken> params, int min, int max, String usage) {
        if (params.size() < min) {
            throw error.apply("missing parameter for rule " + name.quoted() + "; expected " + usage);
        }
        if (params.size() > max) {
            SpecToken extra = params.get(max);
            throw error.apply("extra parameter " + extra.quoted() + " for rule '" + name.text() + "'; expected " + usage);
        }
    }

    private double number(SpecToken name, SpecToken param) {
        if (param.isEmpty()) {
            throw error.apply("empty parameter at column " + param.column() + " for rule '" + name.text()
                    + "'; expected a number such as 0.25, 1e-6 or -3");
        }
        Double v = SpecNumbers.parse(param.text());
        if (v == null) {
            throw error.apply("non-numeric parameter " + param.quoted() + " for rule '" + name.text()
                    + "'; expected a finite decimal number such as 0.25, 1e-6 or -3");
        }
        return v;
    }
}
