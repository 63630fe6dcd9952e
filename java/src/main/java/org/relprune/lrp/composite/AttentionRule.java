package org.relprune.lrp.composite;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * How relevance crosses a ViT attention block. Not a {@link org.relprune.lrp.Rule}: it decides
 * the propagation through softmax and the bilinear products, and the in/out projections follow
 * it instead of being looked up by layer kind (SPEC.md, "LRP: the rules").
 */
public enum AttentionRule {
    /**
     * CP-LRP: attention weights held constant, so no relevance flows through Q, K or the softmax;
     * all of it goes through V, with the value and out projections propagating LRP-0.
     */
    CP("cp"),
    /** AttnLRP: the softmax rule and a uniform (50/50) split of the bilinear products QK^T and AV. */
    ATTNLRP("attnlrp");

    private final String spec;

    AttentionRule(String spec) {
        this.spec = spec;
    }

    /** The value written after {@code attention=} in a spec string. */
    public String spec() {
        return spec;
    }

    /** The rule for a spec value, or null when there is none (the parser reports the error). */
    static AttentionRule fromSpec(String value) {
        for (AttentionRule r : values()) {
            if (r.spec.equals(value)) {
                return r;
            }
        }
        return null;
    }

    /** "cp, attnlrp": for error messages. */
    static String specNames() {
        return Arrays.stream(values()).map(AttentionRule::spec).collect(Collectors.joining(", "));
    }
}
