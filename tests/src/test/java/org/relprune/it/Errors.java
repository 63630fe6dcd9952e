package org.relprune.it;

import org.relprune.tensor.HostTensor;

/** Error measures used by the integration tests, computed in double precision. */
final class Errors {
    private Errors() {
    }

    /** ||a - b|| / ||b|| over all elements; b is the reference. */
    static double relativeL2(HostTensor a, HostTensor b) {
        if (!a.shape().equals(b.shape())) {
            throw new AssertionError("shapes differ: " + a.shape() + " vs reference " + b.shape());
        }
        return relativeL2(a.data(), b.data(), 0, a.data().length);
    }

    /** Relative L2 error of rows [from, to) of flat arrays. */
    static double relativeL2(float[] a, float[] b, int from, int to) {
        double num = 0;
        double den = 0;
        for (int i = from; i < to; i++) {
            double d = (double) a[i] - b[i];
            num += d * d;
            den += (double) b[i] * b[i];
        }
        return Math.sqrt(num) / Math.max(Math.sqrt(den), 1e-30);
    }
}
