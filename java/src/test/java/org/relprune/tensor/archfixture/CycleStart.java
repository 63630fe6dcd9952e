package org.relprune.tensor.archfixture;

import org.relprune.io.archfixture.CycleEnd;

/** Half of a tensor -> io -> tensor package cycle that the architecture test must refuse. */
public final class CycleStart {
    private CycleStart() {
    }

    public static int next(int n) {
        return n == 0 ? 0 : CycleEnd.back(n - 1);
    }
}
