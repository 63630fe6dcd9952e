package org.relprune.lrp.composite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.relprune.lrp.Rule;

/** The presets are exactly the spec strings of the brief and ../shared/golden/README.md. */
class CompositesTest {
    private static final double E = Rule.DEFAULT_STABILIZER;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "epsilon_gamma_box    | first=zbox:-3:3,conv=gamma:0.25,linear=epsilon:1e-6",
        "epsilon_plus         | conv=zplus,linear=epsilon:1e-6",
        "epsilon_alpha2_beta1 | conv=alphabeta:2:1,linear=epsilon:1e-6",
        "epsilon              | conv=epsilon:0.25,linear=epsilon:0.25",
        "epsilon_plus_flat    | first=flat,conv=zplus,linear=epsilon:1e-6",
        "cp_gamma             | attention=cp,conv=gamma:0.25,linear=gamma:0.05",
        "cp_epsilon           | attention=cp,conv=epsilon:1e-6,linear=epsilon:1e-6",
        "attnlrp              | attention=attnlrp,conv=epsilon:1e-6,linear=epsilon:1e-6"})
    void presetEqualsItsSpecString(String name, String spec) {
        Composite preset = Composites.named(name);
        Composite parsed = CompositeSpec.parse(spec);
        assertEquals(spec, Composites.presets().get(name));
        assertEquals(name, preset.name());
        assertEquals(parsed, preset);
        assertEquals(spec, preset.spec(), "canonical spec is the preset string verbatim");
        assertEquals(parsed.attentionRule(), preset.attentionRule());
        // same rule for every kind and group
        for (LayerGroup g : LayerGroup.values()) {
            for (LayerKind k : List.of(LayerKind.FIRST, LayerKind.CONV, LayerKind.LINEAR)) {
                assertEquals(parsed.ruleFor(k, g), preset.ruleFor(k, g), k + "/" + g);
            }
            assertEquals(parsed.ruleForFirst(LayerKind.LINEAR, g), preset.ruleForFirst(LayerKind.LINEAR, g));
        }
    }

    @Test
    void exactlyTheEightPresets() {
        assertEquals(List.of("epsilon_gamma_box", "epsilon_plus", "epsilon_alpha2_beta1", "epsilon", "epsilon_plus_flat",
                "cp_gamma", "cp_epsilon", "attnlrp"), List.copyOf(Composites.presets().keySet()));
    }

    @Test
    void presetRulesSpelledOut() {
        Composite c = Composites.named("epsilon_gamma_box");
        assertEquals(Map.of(CompositeKey.FIRST, new Rule.ZBox(-3, 3, E), CompositeKey.CONV, new Rule.Gamma(0.25, E),
                CompositeKey.LINEAR, new Rule.Epsilon(1e-6)), c.rules());
        assertEquals(AttentionRule.CP, c.attentionRule());
        assertEquals(new Rule.AlphaBeta(2, 1, E), Composites.named("epsilon_alpha2_beta1").ruleFor(LayerKind.CONV, LayerGroup.MID));
        assertEquals(new Rule.Flat(E), Composites.named("epsilon_plus_flat").ruleFor(LayerKind.FIRST, LayerGroup.LOW));
        assertEquals(AttentionRule.ATTNLRP, Composites.named("attnlrp").attentionRule());
        assertEquals(new Rule.Gamma(0.05, E), Composites.named("cp_gamma").ruleFor(LayerKind.LINEAR, LayerGroup.FC));
    }

    @Test
    void specStringsAreAcceptedToo() {
        Composite c = Composites.named(" low=alphabeta:2:1,mid=gamma:0.1,high=epsilon:0.25,fc=epsilon:1e-6,attention=cp ");
        assertEquals("attention=cp,low=alphabeta:2:1,mid=gamma:0.1,high=epsilon:0.25,fc=epsilon:1e-6", c.name());
    }

    @Test
    void unknownNameListsPresetsAndDocs() {
        CompositeException e = assertThrows(CompositeException.class, () -> Composites.named("epsilon_gama_box"));
        String m = e.getMessage();
        assertTrue(m.contains("unknown composite 'epsilon_gama_box'"), m);
        for (String preset : Composites.presets().keySet()) {
            assertTrue(m.contains(preset), m);
        }
        assertTrue(m.contains("docs/composites.md"), m);
        assertThrows(CompositeException.class, () -> Composites.named(null));
        assertThrows(CompositeException.class, () -> Composites.named(""));
    }

    @Test
    void badSpecGetsTheParserError() {
        CompositeException e = assertThrows(CompositeException.class, () -> Composites.named("conv=gama:0.25"));
        assertTrue(e.getMessage().contains("unknown rule 'gama' at column 6"), e.getMessage());
    }
}
