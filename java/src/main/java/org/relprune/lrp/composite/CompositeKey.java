package org.relprune.lrp.composite;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The keys of a spec string that take a {@link org.relprune.lrp.Rule} ({@code attention} takes an
 * {@link AttentionRule} and is handled apart). Declaration order is the canonical order of
 * {@link Composite#spec()}.
 */
public enum CompositeKey {
    FIRST("first"),
    LOW("low"),
    MID("mid"),
    HIGH("high"),
    FC("fc"),
    CONV("conv"),
    LINEAR("linear");

    /** The key that sets the attention rule. */
    public static final String ATTENTION = "attention";

    private final String spec;

    CompositeKey(String spec) {
        this.spec = spec;
    }

    /** The key as written in a spec string. */
    public String spec() {
        return spec;
    }

    /** The key for a spec word, or null when there is none (the parser reports the error). */
    static CompositeKey fromSpec(String word) {
        for (CompositeKey k : values()) {
            if (k.spec.equals(word)) {
                return k;
            }
        }
        return null;
    }

    /** "first, low, mid, high, fc, conv, linear, attention": for error messages. */
    static String allSpecNames() {
        return Arrays.stream(values()).map(CompositeKey::spec).collect(Collectors.joining(", ")) + ", " + ATTENTION;
    }
}
