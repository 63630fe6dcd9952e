package org.relprune.model;

/**
 * What a node is for, beyond its layer type, as the zoo builder that made it knows it. The LRP
 * and pruning code read roles (and {@link Node#block()}) instead of parsing node names.
 */
public enum NodeRole {
    /** Nothing the LRP or pruning code treats specially. */
    OTHER,
    /** A transformer block's packed query/key/value projection (torchvision's {@code self_attention.in_proj}). */
    ATTENTION_IN_PROJECTION,
    /** A transformer block's attention output projection ({@code self_attention.out_proj}). */
    ATTENTION_OUT_PROJECTION,
    /** A transformer block's MLP hidden layer, the first linear map of the MLP ({@code mlp.0}). */
    MLP_HIDDEN,
    /** A transformer block's MLP output layer, back to the model width ({@code mlp.3}). */
    MLP_OUTPUT,
    /** The linear layer that computes the logits. At most one node of a graph has this role. */
    CLASSIFIER
}
