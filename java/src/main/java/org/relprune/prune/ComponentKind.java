package org.relprune.prune;

import java.util.Locale;

/** What a pruning run removes (the classifier is never pruned). */
public enum ComponentKind {
    /** Output channels of every Conv2d (stem and downsample convs included), masked after their BatchNorm. */
    CHANNELS("channels"),
    /** Output neurons of every hidden Linear layer of a CNN or MLP, masked at the layer output. */
    LINEAR("linear"),
    /** ViT MLP hidden neurons (the fc1 = mlp.0 outputs, masked before the GELU): the ViT default. */
    NEURONS("neurons"),
    /** ViT attention heads, masked at the attention output (their A V channels, before the out-projection). */
    HEADS("heads");

    private final String option;

    ComponentKind(String option) {
        this.option = option;
    }

    public String option() {
        return option;
    }

    public static ComponentKind parse(String s) {
        for (ComponentKind k : values()) {
            if (k.option.equals(s.toLowerCase(Locale.ROOT))) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown --components '" + s + "' (use channels or linear for CNNs, neurons or heads for ViTs)");
    }
}
