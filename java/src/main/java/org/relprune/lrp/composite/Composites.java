package org.relprune.lrp.composite;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The named composites. Each preset is defined by its spec string, so a preset and the spec it
 * stands for cannot disagree; the strings are those of ../shared/golden/README.md ("The
 * composites as spec strings"), plus epsilon_plus_flat and attnlrp.
 */
public final class Composites {
    private static final Map<String, String> PRESETS;

    static {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("epsilon_gamma_box", "first=zbox:-3:3,conv=gamma:0.25,linear=epsilon:1e-6");
        p.put("epsilon_plus", "conv=zplus,linear=epsilon:1e-6");
        p.put("epsilon_alpha2_beta1", "conv=alphabeta:2:1,linear=epsilon:1e-6");
        p.put("epsilon", "conv=epsilon:0.25,linear=epsilon:0.25");
        p.put("epsilon_plus_flat", "first=flat,conv=zplus,linear=epsilon:1e-6");
        p.put("cp_gamma", "attention=cp,conv=gamma:0.25,linear=gamma:0.05");
        p.put("cp_epsilon", "attention=cp,conv=epsilon:1e-6,linear=epsilon:1e-6");
        p.put("attnlrp", "attention=attnlrp,conv=epsilon:1e-6,linear=epsilon:1e-6");
        PRESETS = Collections.unmodifiableMap(p);
    }

    private Composites() {}

    /** Preset name to spec string, in documentation order. */
    public static Map<String, String> presets() {
        return PRESETS;
    }

    /**
     * A preset by name (the composite is named after it) or else a spec string. A string with no
     * '=' cannot be a spec, so it is reported as an unknown preset (the likelier mistake); a
     * string with '=' gets the parser's error naming the bad token.
     */
    public static Composite named(String nameOrSpec) {
        String s = nameOrSpec == null ? "" : nameOrSpec.strip();
        String preset = PRESETS.get(s);
        if (preset != null) {
            return CompositeSpec.parse(preset).toBuilder().name(s).build();
        }
        if (s.indexOf('=') >= 0) {
            return CompositeSpec.parse(s);
        }
        throw new CompositeException("unknown composite '" + s + "': not a preset (" + String.join(", ", PRESETS.keySet())
                + ") nor a spec string key=rule(,key=rule)* such as " + PRESETS.get("epsilon_gamma_box")
                + "; see docs/composites.md");
    }
}
