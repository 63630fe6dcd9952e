package org.relprune.lrp.composite;

/** What kind of layer a {@link Composite} is asked about. */
public enum LayerKind {
    /** The first conv/linear layer of the model, the one reading the input (ZBox / Flat territory). */
    FIRST,
    /** A convolution. */
    CONV,
    /** A dense layer; in a ViT the MLP layers and the classifier head. */
    LINEAR,
    /**
     * ViT attention in/out projections. Never looked up by kind: they follow
     * {@link Composite#attentionRule()}, so {@link Composite#ruleFor} rejects this kind.
     */
    ATTENTION_PROJECTION
}
