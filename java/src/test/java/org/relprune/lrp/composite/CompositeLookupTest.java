package org.relprune.lrp.composite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.relprune.lrp.Rule;

/** ruleFor: first over group over kind, the fallbacks, and the error when nothing matches. */
class CompositeLookupTest {
    private static final double E = Rule.DEFAULT_STABILIZER;
    private static final Rule FLAT = new Rule.Flat(E);
    private static final Rule ZPLUS = new Rule.ZPlus(E);
    private static final Rule WSQ = new Rule.WSquare(E);

    @Test
    void firstOverGroupOverKind() {
        Composite c = CompositeSpec.parse("first=flat,low=zplus,conv=wsquare,linear=epsilon:0.5");
        assertEquals(FLAT, c.ruleFor(LayerKind.FIRST, LayerGroup.LOW));
        assertEquals(FLAT, c.ruleForFirst(LayerKind.LINEAR, LayerGroup.LOW));
        assertEquals(ZPLUS, c.ruleFor(LayerKind.CONV, LayerGroup.LOW));
        assertEquals(ZPLUS, c.ruleFor(LayerKind.LINEAR, LayerGroup.LOW));
        assertEquals(WSQ, c.ruleFor(LayerKind.CONV, LayerGroup.MID));
        assertEquals(new Rule.Epsilon(0.5), c.ruleFor(LayerKind.LINEAR, LayerGroup.HIGH));
        assertEquals(new Rule.Epsilon(0.5), c.ruleFor(LayerKind.LINEAR, LayerGroup.FC));
    }

    @Test
    void firstFallsBackToGroupThenToItsKind() {
        Composite group = CompositeSpec.parse("low=zplus,conv=wsquare,linear=epsilon:0.5");
        assertEquals(ZPLUS, group.ruleFor(LayerKind.FIRST, LayerGroup.LOW));
        Composite kind = CompositeSpec.parse("conv=wsquare,linear=epsilon:0.5");
        assertEquals(WSQ, kind.ruleFor(LayerKind.FIRST, LayerGroup.LOW), "first layer of a CNN is a conv");
        assertEquals(new Rule.Epsilon(0.5), kind.ruleForFirst(LayerKind.LINEAR, LayerGroup.LOW), "first layer of an MLP is linear");
        assertEquals(WSQ, kind.ruleForFirst(LayerKind.CONV, LayerGroup.LOW));
        // a lone classifier is also the first layer: first, then fc, then linear
        assertEquals(new Rule.Epsilon(0.5), kind.ruleForFirst(LayerKind.LINEAR, LayerGroup.FC));
    }

    @Test
    void fcFallsBackToLinear() {
        Composite c = CompositeSpec.parse("fc=flat,linear=wsquare,conv=zplus");
        assertEquals(FLAT, c.ruleFor(LayerKind.LINEAR, LayerGroup.FC));
        assertEquals(WSQ, CompositeSpec.parse("linear=wsquare,conv=zplus").ruleFor(LayerKind.LINEAR, LayerGroup.FC));
    }

    @Test
    void groupsCoverEveryKind() {
        Composite c = CompositeSpec.parse("low=alphabeta:2:1,mid=gamma:0.1,high=epsilon:0.25,fc=epsilon:1e-6,attention=cp");
        assertEquals(new Rule.AlphaBeta(2, 1, E), c.ruleFor(LayerKind.FIRST, LayerGroup.LOW));
        assertEquals(new Rule.Gamma(0.1, E), c.ruleFor(LayerKind.CONV, LayerGroup.MID));
        assertEquals(new Rule.Gamma(0.1, E), c.ruleFor(LayerKind.LINEAR, LayerGroup.MID), "a group covers linear layers too");
        assertEquals(new Rule.Epsilon(0.25), c.ruleFor(LayerKind.CONV, LayerGroup.HIGH));
        assertEquals(new Rule.Epsilon(1e-6), c.ruleFor(LayerKind.LINEAR, LayerGroup.FC));
    }

    @Test
    void noRuleForLinearLayersIsAClearError() {
        Composite c = CompositeSpec.parse("conv=gamma:0.25");
        CompositeException e = assertThrows(CompositeException.class, () -> c.ruleFor(LayerKind.LINEAR, LayerGroup.FC));
        assertEquals("composite 'conv=gamma:0.25' has no rule for linear layers (group fc): add linear=... or fc=... "
                + "(keys set: conv)", e.getMessage());
    }

    @Test
    void noRuleForTheFirstLayerListsTheWholeChain() {
        Composite c = CompositeSpec.parse("attention=cp,linear=epsilon,high=zplus");
        CompositeException e = assertThrows(CompositeException.class, () -> c.ruleFor(LayerKind.FIRST, LayerGroup.LOW));
        assertEquals("composite 'attention=cp,high=zplus,linear=epsilon:1e-6' has no rule for the first layer (a conv) "
                + "(group low): add conv=..., low=... or first=... (keys set: attention, high, linear)", e.getMessage());
        CompositeException mid = assertThrows(CompositeException.class, () -> c.ruleFor(LayerKind.CONV, LayerGroup.MID));
        assertTrue(mid.getMessage().contains("no rule for conv layers (group mid): add conv=... or mid=..."), mid.getMessage());
    }

    @Test
    void presetNameIsUsedInTheError() {
        Composite c = Composites.named("epsilon_plus").toBuilder().name("my_cnn_only").build();
        Composite cnnOnly = Composite.builder().name("cnn_only").rule(CompositeKey.CONV, ZPLUS).build();
        CompositeException e = assertThrows(CompositeException.class, () -> cnnOnly.ruleFor(LayerKind.LINEAR, LayerGroup.FC));
        assertTrue(e.getMessage().startsWith("composite 'cnn_only' has no rule"), e.getMessage());
        assertEquals(ZPLUS, c.ruleFor(LayerKind.CONV, LayerGroup.LOW));
    }

    @Test
    void attentionProjectionsAreNotLookedUpByKind() {
        Composite c = Composites.named("cp_epsilon");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> c.ruleFor(LayerKind.ATTENTION_PROJECTION, LayerGroup.MID));
        assertTrue(e.getMessage().contains("attention=cp"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> c.ruleForFirst(LayerKind.FIRST, LayerGroup.LOW));
    }

    @Test
    void builderRejectsWhatASpecCannotSay() {
        assertThrows(CompositeException.class, () -> Composite.builder().build());
        CompositeException stab = assertThrows(CompositeException.class,
                () -> Composite.builder().rule(CompositeKey.CONV, new Rule.ZPlus(1e-3)));
        assertTrue(stab.getMessage().contains("stabilizer 0.001"), stab.getMessage());
        assertThrows(CompositeException.class, () -> Composite.builder().rule(CompositeKey.CONV, new Rule.Epsilon(-1)));
        assertThrows(CompositeException.class, () -> Composite.builder().rule(CompositeKey.CONV, new Rule.Epsilon(Double.NaN)));
        assertThrows(CompositeException.class,
                () -> Composite.builder().rule(CompositeKey.CONV, new Rule.Gamma(Double.POSITIVE_INFINITY, E)));
    }
}
