package org.relprune.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The GP and expected improvement against closed forms; the Bayesian strategy's proposals. */
class GaussianProcessTest {
    @Test
    void maternFiveHalvesKernelValues() {
        GaussianProcess gp = new GaussianProcess(new double[][] {{0}}, new double[] {0}, 2.0, 0.5, 1e-9);
        assertEquals(2.0, gp.kernel(new double[] {1}, new double[] {1}), 1e-12);
        // r = l: s2 (1 + sqrt5 + 5/3) exp(-sqrt5)
        double want = 2.0 * (1 + Math.sqrt(5) + 5.0 / 3) * Math.exp(-Math.sqrt(5));
        assertEquals(want, gp.kernel(new double[] {0.3, 0}, new double[] {0.3, 0.5}), 1e-12);
    }

    @Test
    void oneObservationHasTheClosedFormPosterior() {
        double[] x0 = {0.2, 0.7};
        double y0 = 1.3;
        double noise = 0.1;
        GaussianProcess gp = new GaussianProcess(new double[][] {x0}, new double[] {y0}, 1.5, 0.8, noise);
        double[] q = {0.5, 0.1};
        double k = gp.kernel(q, x0);
        double k0 = gp.kernel(x0, x0) + noise;
        double[] mv = gp.predict(q);
        assertEquals(k / k0 * y0, mv[0], 1e-12, "mean k(q,x0) y0 / (k(x0,x0) + noise)");
        assertEquals(1.5 - k * k / k0, mv[1], 1e-12, "variance k(q,q) - k(q,x0)^2 / (k(x0,x0) + noise)");
        // log likelihood of one point: log N(y0; 0, k0)
        assertEquals(-0.5 * y0 * y0 / k0 - 0.5 * Math.log(k0) - 0.5 * Math.log(2 * Math.PI), gp.logMarginalLikelihood(new double[] {y0}), 1e-12);
    }

    @Test
    void noiselessPosteriorInterpolatesItsData() {
        double[][] x = {{0}, {0.3}, {0.55}, {1}};
        double[] y = {0.1, -0.4, 0.9, 0.2};
        GaussianProcess gp = new GaussianProcess(x, y, 1, 0.4, 1e-10);
        for (int i = 0; i < x.length; i++) {
            double[] mv = gp.predict(x[i]);
            assertEquals(y[i], mv[0], 1e-6);
            assertTrue(mv[1] < 1e-6, "no uncertainty at an observation");
        }
        assertTrue(gp.predict(new double[] {3})[1] > 0.99, "prior variance far from the data");
    }

    @Test
    void expectedImprovementClosedForms() {
        // mean = best, sd 1: EI = phi(0)
        assertEquals(1 / Math.sqrt(2 * Math.PI), GaussianProcess.expectedImprovement(0, 1, 0, 0), 1e-12);
        // deterministic: max(0, gain)
        assertEquals(0.3, GaussianProcess.expectedImprovement(0.5, 0, 0.2, 0), 1e-12);
        assertEquals(0, GaussianProcess.expectedImprovement(0.1, 0, 0.2, 0), 0);
        // mean - best = 1, sd 2: 1 * Phi(0.5) + 2 * phi(0.5)
        double want = 0.6914624612740131 + 2 * Math.exp(-0.125) / Math.sqrt(2 * Math.PI);
        assertEquals(want, GaussianProcess.expectedImprovement(1, 4, 0, 0), 1e-6);
    }

    @Test
    void bayesianProposalsAreValidDeterministicAndUseTheModel() {
        SearchSpace sp = SearchSpace.defaults(false);
        BayesianStrategy bo = new BayesianStrategy(sp, 7, 5, 300);
        RandomStrategy random = new RandomStrategy(sp, 7);
        List<StudyStore.Trial> finished = new ArrayList<>();
        for (int n = 0; n < 5; n++) {
            JsonObject p = bo.propose(n, finished);
            assertEquals(random.propose(n, finished), p, "the warm-up is the random strategy");
            // a toy objective: signed scores and a gamma first group are good
            SearchSpace.Point pt = SearchSpace.Point.fromJson(p);
            double f = (pt.signed() ? 0.5 : 0) + (pt.groups().get("low").rule().equals("gamma") ? 0.3 : 0);
            finished.add(new StudyStore.Trial(n, "COMPLETE", p, f, "[]", 0.0, 0.0, new StudyStore.Claim("w", "t", null, null)));
        }
        JsonObject next = bo.propose(5, finished);
        assertEquals(next, bo.propose(5, finished), "deterministic for the same history");
        org.relprune.lrp.composite.Composites.named(SearchSpace.Point.fromJson(next).composite());
        assertEquals(sp.groups().size() * (sp.rules().size() + 3) + 1, bo.encode(SearchSpace.Point.fromJson(next)).length);
    }
}
