package org.relprune.search;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Bayesian optimization: after {@code warmup} seeded random trials, a Gaussian process (Matern
 * 5/2; its length scale and noise chosen by marginal likelihood on a small grid) on the finished
 * trials, and the next point is the candidate of largest expected improvement among
 * {@code candidates} random draws. Points are encoded with one-hot rules (and attention, score
 * option) and each rule's parameter on [0, 1] (log scale for eps and gamma). Deterministic for
 * given finished trials and seed.
 */
public record BayesianStrategy(SearchSpace space, long seed, int warmup, int candidates) implements StudyStore.Proposer {
    private static final double[] LENGTH_SCALES = {0.25, 0.5, 1, 2, 4};
    private static final double[] NOISES = {1e-4, 1e-2, 1e-1};

    @Override
    public JsonObject propose(int number, List<StudyStore.Trial> finished) {
        if (finished.size() < warmup) {
            return new RandomStrategy(space, seed).propose(number, finished);
        }
        int n = finished.size();
        double[][] x = new double[n][];
        double[] y = new double[n];
        double mean = 0;
        for (int i = 0; i < n; i++) {
            x[i] = encode(SearchSpace.Point.fromJson(finished.get(i).params()));
            y[i] = finished.get(i).objective();
            mean += y[i] / n;
        }
        double var = 0;
        for (double v : y) {
            var += (v - mean) * (v - mean) / n;
        }
        double sd = var > 0 ? Math.sqrt(var) : 1;
        double best = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            y[i] = (y[i] - mean) / sd;
            best = Math.max(best, y[i]);
        }
        GaussianProcess gp = null;
        double bestLikelihood = Double.NEGATIVE_INFINITY;
        for (double l : LENGTH_SCALES) {
            for (double noise : NOISES) {
                GaussianProcess g = new GaussianProcess(x, y, 1, l, noise);
                double ll = g.logMarginalLikelihood(y);
                if (ll > bestLikelihood) {
                    bestLikelihood = ll;
                    gp = g;
                }
            }
        }
        SplittableRandom rng = new SplittableRandom(seed * 1_000_003L + number + 0x5DEECE66DL);
        SearchSpace.Point choice = null;
        double bestEi = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < candidates; c++) {
            SearchSpace.Point p = space.sample(rng);
            double[] mv = gp.predict(encode(p));
            double ei = GaussianProcess.expectedImprovement(mv[0], mv[1], best, 0.01);
            if (ei > bestEi) {
                bestEi = ei;
                choice = p;
            }
        }
        return choice.toJson();
    }

    /** One-hot rule and its parameter slots per group, one-hot attention, the score option. */
    double[] encode(SearchSpace.Point p) {
        List<Double> v = new ArrayList<>();
        for (String g : space.groups()) {
            SearchSpace.Choice c = p.groups().get(g);
            for (String r : space.rules()) {
                v.add(c != null && c.rule().equals(r) ? 1.0 : 0.0);
            }
            v.add(c != null && c.rule().equals("epsilon") ? logScaled(c.value(), space.epsilon()) : 0);
            v.add(c != null && c.rule().equals("gamma") ? logScaled(c.value(), space.gamma()) : 0);
            v.add(c != null && c.rule().equals("alphabeta") ? scaled(c.value(), space.alpha()) : 0);
        }
        for (String a : space.attention()) {
            v.add(a.equals(p.attention()) ? 1.0 : 0.0);
        }
        v.add(p.signed() ? 1.0 : 0.0);
        return v.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double logScaled(double v, double[] range) {
        double span = Math.log(range[1]) - Math.log(range[0]);
        return span == 0 ? 0.5 : (Math.log(v) - Math.log(range[0])) / span;
    }

    private static double scaled(double v, double[] range) {
        double span = range[1] - range[0];
        return span == 0 ? 0.5 : (v - range[0]) / span;
    }
}
