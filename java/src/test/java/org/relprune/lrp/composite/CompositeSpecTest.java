package org.relprune.lrp.composite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.relprune.lrp.Rule;

/** The grammar: what parses to what, the canonical form, and every error with its message. */
class CompositeSpecTest {
    private static final double E = Rule.DEFAULT_STABILIZER;

    private static Rule only(String ruleText) {
        return CompositeSpec.parse("conv=" + ruleText).rule(CompositeKey.CONV).orElseThrow();
    }

    @Test
    void everyRule() {
        assertEquals(new Rule.Epsilon(1e-6), only("epsilon"));
        assertEquals(new Rule.Epsilon(0.25), only("epsilon:0.25"));
        assertEquals(new Rule.Epsilon(0), only("epsilon:0"));
        assertEquals(new Rule.ZPlus(E), only("zplus"));
        assertEquals(new Rule.AlphaBeta(2, 1, E), only("alphabeta:2:1"));
        assertEquals(new Rule.AlphaBeta(2, 1, E), only("alphabeta:2"));
        assertEquals(new Rule.AlphaBeta(1, 0, E), only("alphabeta:1"));
        assertEquals(new Rule.Gamma(0.25, E), only("gamma:0.25"));
        assertEquals(new Rule.Gamma(0, E), only("gamma:0"));
        assertEquals(new Rule.ZBox(-3, 3, E), only("zbox:-3:3"));
        assertEquals(new Rule.ZBox(-2.1179, 2.64, E), only("zbox:-2.1179:2.64"));
        assertEquals(new Rule.Flat(E), only("flat"));
        assertEquals(new Rule.WSquare(E), only("wsquare"));
    }

    @Test
    void everyKeyAndAttention() {
        Composite c = CompositeSpec.parse("first=flat,low=zplus,mid=gamma:0.1,high=epsilon:0.25,fc=epsilon,conv=wsquare,"
                + "linear=epsilon:0.5,attention=attnlrp");
        assertEquals(7, c.rules().size());
        assertEquals(new Rule.Gamma(0.1, E), c.rule(CompositeKey.MID).orElseThrow());
        assertEquals(AttentionRule.ATTNLRP, c.attentionRule());
        assertTrue(c.attentionGiven());
        assertEquals(AttentionRule.CP, CompositeSpec.parse("conv=zplus").attentionRule());
        assertFalse(CompositeSpec.parse("conv=zplus").attentionGiven());
        assertEquals(AttentionRule.CP, CompositeSpec.parse("attention=cp").attentionRule());
    }

    @Test
    void whitespaceAroundTokensIsIgnored() {
        assertEquals(CompositeSpec.parse("first=zbox:-3:3,conv=gamma:0.25,linear=epsilon:1e-6"),
                CompositeSpec.parse("  first = zbox : -3 : 3 ,\tconv= gamma:0.25 , linear =epsilon: 1e-6 "));
    }

    @Test
    void numbersInJavaDoubleSyntax() {
        assertEquals(new Rule.Epsilon(1e-6), only("epsilon:1E-6"));
        assertEquals(new Rule.Epsilon(0.5), only("epsilon:.5"));
        assertEquals(new Rule.Epsilon(2), only("epsilon:+2."));
        assertEquals(new Rule.ZBox(-3, 3e2, E), only("zbox:-3:3e+2"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "first=zbox:-3:3,conv=gamma:0.25,linear=epsilon:1e-6",
        "attention=cp,low=alphabeta:2:1,mid=gamma:0.1,high=epsilon:0.25,fc=epsilon:1e-6",
        "linear=epsilon , conv = alphabeta:1.1, attention=attnlrp",
        "conv=zbox:-2.1179:2.64,fc=wsquare,first=flat,high=zplus",
        "conv=epsilon:1.5e-7,linear=gamma:1e10",
        "attention=attnlrp"})
    void specRoundTrips(String text) {
        Composite c = CompositeSpec.parse(text);
        String canonical = c.spec();
        Composite back = CompositeSpec.parse(canonical);
        assertEquals(c, back);
        assertEquals(canonical, back.spec(), "canonical form is a fixed point");
        assertEquals(canonical, c.name());
    }

    @Test
    void canonicalFormOrdersKeysAndSpellsOutDefaults() {
        assertEquals("attention=attnlrp,first=flat,conv=epsilon:1e-6,linear=alphabeta:1.5:0.5",
                CompositeSpec.parse("linear=alphabeta:1.5,conv=epsilon,first=flat,attention=attnlrp").spec());
    }

    @Test
    void builtCompositeRoundTrips() {
        Composite c = Composite.builder().rule(CompositeKey.HIGH, new Rule.Gamma(0.125, E))
                .rule(CompositeKey.LINEAR, new Rule.Epsilon(0.01)).attention(AttentionRule.CP).build();
        assertEquals("attention=cp,high=gamma:0.125,linear=epsilon:0.01", c.spec());
        assertEquals(c, CompositeSpec.parse(c.spec()));
    }

    @Test
    void absentAttentionEqualsExplicitCp() {
        Composite a = CompositeSpec.parse("conv=zplus");
        Composite b = CompositeSpec.parse("attention=cp,conv=zplus");
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertFalse(a.equals(CompositeSpec.parse("attention=attnlrp,conv=zplus")));
    }

    /** Each bad spec with fragments its message must contain (the token, where, what was expected). */
    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @CsvSource(delimiter = '|', value = {
        // empty spec
        "''                                  | empty composite spec | key=rule",
        "'   '                               | empty composite spec | key=rule",
        // structure
        "conv=zplus,                         | empty entry at column 12 | key=rule",
        "conv=zplus,,linear=epsilon          | empty entry at column 12 |",
        "convzplus                           | entry 'convzplus' at column 1 has no '=' | key=rule",
        "=zplus                              | missing key before '=' at column 1 | first, low, mid, high, fc, conv, linear, attention",
        // unknown key
        "cnov=zplus                          | unknown key 'cnov' at column 1 | first, low, mid, high, fc, conv, linear, attention",
        "conv=zplus, Linear=epsilon          | unknown key 'Linear' at column 13 |",
        // duplicate key
        "conv=zplus,linear=epsilon,conv=flat | duplicate key 'conv' at column 27 | already set at column 1",
        "attention=cp,attention=attnlrp      | duplicate key 'attention' at column 14 | already set at column 1",
        // unknown rule
        "conv=gama:0.25                      | unknown rule 'gama' at column 6 | epsilon[:EPS], zplus, alphabeta:A[:B], gamma:G, zbox:LOW:HIGH, flat, wsquare",
        "conv=                               | missing rule after 'conv=' at column 6 |",
        "conv=cp                             | unknown rule 'cp' at column 6 |",
        // attention values
        "attention=lrp                       | unknown attention rule 'lrp' at column 11 | cp, attnlrp",
        "attention=                          | missing value after 'attention=' at column 11 | cp, attnlrp",
        "attention=cp:1                      | attention rule 'cp:1' at column 11 takes no parameters | cp, attnlrp",
        // missing parameter
        "conv=gamma                          | missing parameter for rule 'gamma' at column 6 | gamma:G",
        "conv=zbox:-3                        | missing parameter for rule 'zbox' at column 6 | zbox:LOW:HIGH",
        "conv=alphabeta                      | missing parameter for rule 'alphabeta' at column 6 | alphabeta:A[:B]",
        "conv=gamma:                         | empty parameter at column 12 for rule 'gamma' |",
        // extra parameter
        "conv=zplus:1                        | extra parameter '1' at column 12 for rule 'zplus' | expected zplus",
        "conv=gamma:0.25:3                   | extra parameter '3' at column 17 for rule 'gamma' | gamma:G",
        "conv=epsilon:1:2                    | extra parameter '2' at column 16 for rule 'epsilon' | epsilon[:EPS]",
        "conv=alphabeta:2:1:0                | extra parameter '0' at column 20 for rule 'alphabeta' |",
        "conv=flat:0                         | extra parameter '0' at column 11 for rule 'flat' |",
        "conv=wsquare:0                      | extra parameter '0' at column 14 for rule 'wsquare' |",
        // non-numeric parameter
        "conv=gamma:abc                      | non-numeric parameter 'abc' at column 12 for rule 'gamma' | 0.25, 1e-6 or -3",
        "conv=gamma:NaN                      | non-numeric parameter 'NaN' at column 12 |",
        "conv=gamma:Infinity                 | non-numeric parameter 'Infinity' at column 12 |",
        "conv=gamma:1e999                    | non-numeric parameter '1e999' at column 12 |",
        "conv=gamma:0.25f                    | non-numeric parameter '0.25f' at column 12 |",
        "conv = gamma : abc                  | non-numeric parameter 'abc' at column 16 |",
        "'  cnov=zplus'                      | unknown key 'cnov' at column 3 |",
        "conv=zbox:-3:three                  | non-numeric parameter 'three' at column 14 for rule 'zbox' |",
        // value constraints
        "conv=gamma:-0.5                     | gamma '-0.5' at column 12 must be >= 0 |",
        "conv=alphabeta:2:2                  | 'alphabeta:2:2' at column 6: alphabeta needs alpha - beta = 1 | alpha 2 and beta 2",
        "conv=alphabeta:0.5                  | 'alphabeta:0.5' at column 6: alphabeta needs beta >= 0 |",
        "conv=alphabeta:1e17                 | alphabeta needs alpha - beta = 1 | alpha 1e17 and beta 1e17",
        "conv=alphabeta:0.5:-0.5             | alphabeta needs beta >= 0 |",
        "conv=zbox:3:-3                      | 'zbox:3:-3' at column 6: zbox needs LOW < HIGH | got 3 and -3",
        "conv=zbox:1:1                       | zbox needs LOW < HIGH |",
        "linear=epsilon:-1e-6                | negative epsilon '-1e-6' at column 16 | must be >= 0"})
    void errorsNameTheBadToken(String spec, String fragment1, String fragment2) {
        CompositeException e = assertThrows(CompositeException.class, () -> CompositeSpec.parse(spec));
        String m = e.getMessage();
        assertTrue(m.startsWith("composite spec \"" + spec + "\": "), m);
        assertTrue(m.contains(fragment1), m);
        if (fragment2 != null) {
            assertTrue(m.contains(fragment2), m);
        }
        assertTrue(m.contains("docs/composites.md"), m);
        assertTrue(e instanceof IllegalArgumentException);
    }

    @Test
    void messagesAreOneLineWhateverTheInput() {
        // the spec is quoted in the message, and a user's line break with it (found by CompositeSpecFuzzTest)
        CompositeException e = assertThrows(CompositeException.class, () -> Composites.named("att\nfntiio"));
        assertTrue(e.getMessage().startsWith("unknown composite 'att fntiio'"), e.getMessage());
        e = assertThrows(CompositeException.class, () -> CompositeSpec.parse("conv=zplus,\r\nlinear=gama"));
        assertTrue(!e.getMessage().contains("\n") && !e.getMessage().contains("\r"), e.getMessage());
    }

    @Test
    void nullIsAnEmptySpec() {
        CompositeException e = assertThrows(CompositeException.class, () -> CompositeSpec.parse(null));
        assertTrue(e.getMessage().contains("empty composite spec"), e.getMessage());
    }

    @Test
    void specNumbersFormatShortest() {
        Map<Double, String> cases = Map.of(1e-6, "1e-6", 0.25, "0.25", -3.0, "-3", 100.0, "100", 1.5e-7, "1.5e-7",
                1e10, "1e10", 0.05, "0.05");
        cases.forEach((v, s) -> {
            assertEquals(s, SpecNumbers.format(v));
            assertEquals(v, SpecNumbers.parse(s));
        });
    }
}
