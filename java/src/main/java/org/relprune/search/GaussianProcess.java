package org.relprune.search;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.CholeskyDecomposition_F64;

/**
 * Gaussian-process regression with a Matern 5/2 kernel (variance s2, length scale l) and
 * observation noise n2, zero prior mean: the posterior mean and variance at new points. The
 * linear algebra (Cholesky factor and triangular solves) is EJML's.
 */
public final class GaussianProcess {
    private final double[][] x;
    private final double variance;
    private final double lengthScale;
    private final DMatrixRMaj lower;
    private final DMatrixRMaj alpha;

    public GaussianProcess(double[][] x, double[] y, double variance, double lengthScale, double noise) {
        this.x = x;
        this.variance = variance;
        this.lengthScale = lengthScale;
        int n = x.length;
        DMatrixRMaj k = new DMatrixRMaj(n, n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                k.set(i, j, kernel(x[i], x[j]) + (i == j ? noise : 0));
            }
        }
        CholeskyDecomposition_F64<DMatrixRMaj> chol = DecompositionFactory_DDRM.chol(n, true);
        if (!chol.decompose(k)) {
            throw new IllegalArgumentException("GP kernel matrix is not positive definite (duplicate points need noise > 0)");
        }
        this.lower = chol.getT(null);
        // alpha = K^-1 y through the two triangular solves
        DMatrixRMaj b = new DMatrixRMaj(n, 1, true, y.clone());
        DMatrixRMaj tmp = new DMatrixRMaj(n, 1);
        org.ejml.dense.row.decomposition.TriangularSolver_DDRM.solveL(lower.data, b.data, n);
        tmp.setTo(b);
        org.ejml.dense.row.decomposition.TriangularSolver_DDRM.solveTranL(lower.data, tmp.data, n);
        this.alpha = tmp;
    }

    /** Matern 5/2: s2 (1 + sqrt5 r / l + 5 r^2 / (3 l^2)) exp(-sqrt5 r / l), r the Euclidean distance. */
    public double kernel(double[] a, double[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d += (a[i] - b[i]) * (a[i] - b[i]);
        }
        double r = Math.sqrt(d) / lengthScale;
        double s5 = Math.sqrt(5) * r;
        return variance * (1 + s5 + 5 * r * r / 3) * Math.exp(-s5);
    }

    /** {mean, variance} of the posterior at q. */
    public double[] predict(double[] q) {
        int n = x.length;
        double[] ks = new double[n];
        double mean = 0;
        for (int i = 0; i < n; i++) {
            ks[i] = kernel(q, x[i]);
            mean += ks[i] * alpha.get(i, 0);
        }
        org.ejml.dense.row.decomposition.TriangularSolver_DDRM.solveL(lower.data, ks, n); // v = L^-1 k*
        double v = 0;
        for (double e : ks) {
            v += e * e;
        }
        return new double[] {mean, Math.max(0, kernel(q, q) - v)};
    }

    /** log p(y | X) = -1/2 y^T K^-1 y - sum log L_ii - n/2 log 2 pi (for choosing the hyperparameters). */
    public double logMarginalLikelihood(double[] y) {
        double fit = 0;
        for (int i = 0; i < y.length; i++) {
            fit += y[i] * alpha.get(i, 0);
        }
        double logDet = 0;
        for (int i = 0; i < y.length; i++) {
            logDet += Math.log(lower.get(i, i));
        }
        return -0.5 * fit - logDet - 0.5 * y.length * Math.log(2 * Math.PI);
    }

    /** Expected improvement over {@code best} (maximizing) of a normal with this mean and variance. */
    public static double expectedImprovement(double mean, double variance, double best, double xi) {
        double s = Math.sqrt(variance);
        double gain = mean - best - xi;
        if (s < 1e-12) {
            return Math.max(0, gain);
        }
        double z = gain / s;
        return gain * normalCdf(z) + s * Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
    }

    /** Standard normal CDF (Abramowitz-Stegun 7.1.26 via erf, |error| < 1.5e-7). */
    static double normalCdf(double z) {
        double t = 1 / (1 + 0.3275911 * Math.abs(z) / Math.sqrt(2));
        double poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
        double erf = 1 - poly * Math.exp(-z * z / 2);
        return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
    }
}
