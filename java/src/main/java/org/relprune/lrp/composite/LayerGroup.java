package org.relprune.lrp.composite;

/**
 * Depth group of a conv/linear layer, as in the PXP paper (see {@link LayerGroups} for the
 * assignment): composites may give each group its own rule.
 */
public enum LayerGroup {
    LOW(CompositeKey.LOW),
    MID(CompositeKey.MID),
    HIGH(CompositeKey.HIGH),
    /** The classifier. */
    FC(CompositeKey.FC);

    private final CompositeKey key;

    LayerGroup(CompositeKey key) {
        this.key = key;
    }

    /** The spec key that sets this group's rule. */
    public CompositeKey key() {
        return key;
    }
}
