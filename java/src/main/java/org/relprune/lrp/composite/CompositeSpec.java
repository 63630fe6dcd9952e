package org.relprune.lrp.composite;

import java.util.EnumMap;
import java.util.Map;
import org.relprune.lrp.Rule;

/**
 * Parses spec strings: {@code key=rule(,key=rule)*}, e.g.
 * {@code first=zbox:-3:3,conv=gamma:0.25,linear=epsilon:1e-6} or
 * {@code low=alphabeta:2:1,mid=gamma:0.1,high=epsilon:0.25,fc=epsilon:1e-6,attention=cp}.
 * Grammar and semantics: docs/composites.md. Every error is a {@link CompositeException} that
 * quotes the spec and names the bad token, its column (1-based) and what was expected.
 */
public final class CompositeSpec {
    private final String spec;

    private CompositeSpec(String spec) {
        this.spec = spec;
    }

    /** Parses a spec string; the composite's name is its canonical spec. */
    public static Composite parse(String spec) {
        return new CompositeSpec(spec == null ? "" : spec).parse();
    }

    private Composite parse() {
        SpecToken whole = new SpecToken(spec, 0);
        if (spec.isBlank()) {
            throw error("empty composite spec; expected key=rule(,key=rule)*, e.g. conv=gamma:0.25,linear=epsilon:1e-6");
        }
        Composite.Builder b = Composite.builder();
        Map<CompositeKey, Integer> seen = new EnumMap<>(CompositeKey.class);
        Integer attentionAt = null;
        RuleParser rules = new RuleParser(this::error);
        for (SpecToken entry : whole.split(',')) {
            if (entry.isEmpty()) {
                throw error("empty entry at column " + entry.column() + " (stray comma?); expected key=rule");
            }
            SpecToken[] kv = entry.splitOnce('=');
            if (kv == null) {
                throw error("entry " + entry.quoted() + " has no '='; expected key=rule");
            }
            SpecToken key = kv[0];
            SpecToken value = kv[1];
            if (key.isEmpty()) {
                throw error("missing key before '=' at column " + key.column() + "; expected one of " + CompositeKey.allSpecNames());
            }
            if (key.text().equals(CompositeKey.ATTENTION)) {
                if (attentionAt != null) {
                    throw duplicate(key, attentionAt);
                }
                attentionAt = key.column();
                b.attention(attention(value));
                continue;
            }
            CompositeKey k = CompositeKey.fromSpec(key.text());
            if (k == null) {
                throw error("unknown key " + key.quoted() + "; expected one of " + CompositeKey.allSpecNames());
            }
            Integer before = seen.putIfAbsent(k, key.column());
            if (before != null) {
                throw duplicate(key, before);
            }
            Rule rule = rules.parse(value, k.spec());
            b.rule(k, rule);
        }
        return b.build();
    }

    private AttentionRule attention(SpecToken value) {
        if (value.isEmpty()) {
            throw error("missing value after 'attention=' at column " + value.column() + "; expected one of " + AttentionRule.specNames());
        }
        AttentionRule a = AttentionRule.fromSpec(value.text());
        if (a == null) {
            String problem = value.text().contains(":")
                    ? "attention rule " + value.quoted() + " takes no parameters"
                    : "unknown attention rule " + value.quoted();
            throw error(problem + "; expected one of " + AttentionRule.specNames());
        }
        return a;
    }

    private CompositeException duplicate(SpecToken key, int firstColumn) {
        return error("duplicate key " + key.quoted() + " (already set at column " + firstColumn + ")");
    }

    private CompositeException error(String problem) {
        return new CompositeException("composite spec \"" + spec + "\": " + problem + " (grammar: docs/composites.md)");
    }
}
