package org.relprune.lrp.composite;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.StringJoiner;
import org.relprune.lrp.Rule;

/**
 * An LRP composite: which {@link Rule} each conv/linear layer gets, plus the attention rule of a
 * ViT. Immutable; build with {@link #builder()}, parse with {@link CompositeSpec#parse}, or look
 * up by preset name with {@link Composites#named}.
 *
 * <p>Lookup ({@link #ruleFor}): {@code first} (only for the first layer) over the layer's group
 * ({@code low}/{@code mid}/{@code high}/{@code fc}) over its kind ({@code conv}/{@code linear}).
 * The most general key, the kind, is the fallback of every more specific one.
 *
 * <p>Equality is semantic: same rules per key and same effective attention rule (an absent
 * {@code attention=} means {@link AttentionRule#CP}). The name is a label and takes no part, so a
 * preset equals the composite parsed from its spec string.
 */
public final class Composite {
    private final String name;
    private final Map<CompositeKey, Rule> rules;
    /** Null when the spec did not say; kept apart so spec() writes back what was given. */
    private final AttentionRule attention;

    private Composite(Builder b) {
        this.rules = Collections.unmodifiableMap(new EnumMap<>(b.rules));
        this.attention = b.attention;
        this.name = b.name != null ? b.name : spec();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this composite's rules, attention rule and name. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.rules.putAll(rules);
        b.attention = attention;
        b.name = name;
        return b;
    }

    /** The preset name, or the canonical spec string for a composite not built from a preset. */
    public String name() {
        return name;
    }

    /** The rules by key, in canonical key order. */
    public Map<CompositeKey, Rule> rules() {
        return rules;
    }

    /** The rule set for exactly this key, without fallback. */
    public Optional<Rule> rule(CompositeKey key) {
        return Optional.ofNullable(rules.get(key));
    }

    /** The attention rule; CP-LRP when the composite does not name one. */
    public AttentionRule attentionRule() {
        return attention != null ? attention : AttentionRule.CP;
    }

    /** Whether {@code attention=} was given (only affects {@link #spec()}). */
    public boolean attentionGiven() {
        return attention != null;
    }

    /**
     * The rule for a layer. FIRST means the first layer is a conv (the CNN case); for a model whose
     * first layer is dense (LeNet-300-100, an MLP) use {@link #ruleForFirst}.
     *
     * @throws CompositeException when no key in the fallback chain is set
     * @throws IllegalArgumentException for {@link LayerKind#ATTENTION_PROJECTION}
     */
    public Rule ruleFor(LayerKind kind, LayerGroup group) {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(group, "group");
        switch (kind) {
            case FIRST:
                return ruleForFirst(LayerKind.CONV, group);
            case CONV:
                return lookup("conv layers", group, group.key(), CompositeKey.CONV);
            case LINEAR:
                return lookup("linear layers", group, group.key(), CompositeKey.LINEAR);
            default:
                throw new IllegalArgumentException("attention projections have no rule of their own: they follow the attention rule ("
                        + CompositeKey.ATTENTION + "=" + attentionRule().spec() + "), see attentionRule()");
        }
    }

    /**
     * The rule for the model's first conv/linear layer: {@code first}, then its group, then its
     * kind ({@code conv} or {@code linear}, as given by {@code firstLayerKind}).
     */
    public Rule ruleForFirst(LayerKind firstLayerKind, LayerGroup group) {
        Objects.requireNonNull(group, "group");
        if (firstLayerKind == LayerKind.CONV) {
            return lookup("the first layer (a conv)", group, CompositeKey.FIRST, group.key(), CompositeKey.CONV);
        } else if (firstLayerKind == LayerKind.LINEAR) {
            return lookup("the first layer (a linear layer)", group, CompositeKey.FIRST, group.key(), CompositeKey.LINEAR);
        }
        throw new IllegalArgumentException("the first layer is a CONV or a LINEAR layer, not " + firstLayerKind);
    }

    /** The first key of the chain (most specific first) that is set. */
    private Rule lookup(String what, LayerGroup group, CompositeKey... chain) {
        for (CompositeKey key : chain) {
            Rule r = rules.get(key);
            if (r != null) {
                return r;
            }
        }
        // Suggest the keys general to specific: the kind key is usually what the user forgot.
        List<String> add = new ArrayList<>();
        for (int i = chain.length - 1; i >= 0; i--) {
            add.add(chain[i].spec() + "=...");
        }
        String suggestion = add.size() == 1 ? add.get(0)
                : String.join(", ", add.subList(0, add.size() - 1)) + " or " + add.get(add.size() - 1);
        throw new CompositeException("composite '" + name + "' has no rule for " + what + " (group " + group.key().spec()
                + "): add " + suggestion + " (keys set: " + keysSet() + ")");
    }

    private String keysSet() {
        StringJoiner j = new StringJoiner(", ");
        if (attention != null) {
            j.add(CompositeKey.ATTENTION);
        }
        rules.keySet().forEach(k -> j.add(k.spec()));
        return j.toString();
    }

    /**
     * Canonical spec string: {@code attention} (when given) then the rule keys in the order first,
     * low, mid, high, fc, conv, linear, every rule parameter written out. Parses back to an equal
     * composite; for the presets it is their spec string verbatim.
     */
    public String spec() {
        StringJoiner j = new StringJoiner(",");
        if (attention != null) {
            j.add(CompositeKey.ATTENTION + "=" + attention.spec());
        }
        rules.forEach((k, r) -> j.add(k.spec() + "=" + RuleSpecs.format(r)));
        return j.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Composite c && rules.equals(c.rules) && attentionRule() == c.attentionRule();
    }

    @Override
    public int hashCode() {
        return Objects.hash(rules, attentionRule());
    }

    @Override
    public String toString() {
        return name.equals(spec()) ? name : name + " (" + spec() + ")";
    }

    /** Collects rules; a key set twice keeps the last rule (the parser rejects duplicates itself). */
    public static final class Builder {
        private final Map<CompositeKey, Rule> rules = new EnumMap<>(CompositeKey.class);
        private AttentionRule attention;
        private String name;

        private Builder() {}

        /** Sets the rule for a key; rejects rules a spec string could not express (see RuleSpecs). */
        public Builder rule(CompositeKey key, Rule rule) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(rule, "rule");
            RuleSpecs.check(key.spec(), rule);
            rules.put(key, rule);
            return this;
        }

        public Builder attention(AttentionRule rule) {
            this.attention = Objects.requireNonNull(rule, "attention");
            return this;
        }

        /** The label; defaults to the canonical spec string. */
        public Builder name(String name) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("a composite name must not be blank");
            }
            this.name = name;
            return this;
        }

        /** @throws CompositeException when nothing was set (an empty spec means nothing) */
        public Composite build() {
            if (rules.isEmpty() && attention == null) {
                throw new CompositeException("a composite needs at least one key (first, low, mid, high, fc, conv, linear or attention)");
            }
            return new Composite(this);
        }
    }
}
