package org.relprune.model.archfixture;

import org.relprune.run.PruneRun;

/** A model-layer class that reaches up into the application layer: what the architecture test must refuse. */
public final class UpwardImport {
    private UpwardImport() {
    }

    public static String composite(org.relprune.model.Graph g) {
        return PruneRun.defaultComposite(g);
    }
}
