package org.relprune.io.archfixture;

import org.relprune.tensor.archfixture.CycleStart;

/** The other half of the package cycle of {@link CycleStart}. */
public final class CycleEnd {
    private CycleEnd() {
    }

    public static int back(int n) {
        return CycleStart.next(n);
    }
}
