package org.relprune.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The settings a pruning run takes: the documented defaults, derived settings, refusals that name the option. */
class PruneSettingsTest {
    private static PruneSettings.Builder required() {
        return PruneSettings.builder().arch("lenet5").weights(Path.of("w.safetensors")).data(Path.of("mnist")).criterion("lrp").out(Path.of("o"));
    }

    @Test
    void unsetValuesAreThePapersProtocol() {
        PruneSettings s = required().build();
        // docs/pruning.md: independent channels, global ranking, summed groups, one-hot start, 10 per class, 32 per LRP pass,
        // automatic curve batch, seed 0, the CPU, nothing replaced
        assertEquals("independent", s.grouping());
        assertTrue(!s.coupled());
        assertEquals("global", s.ranking());
        assertEquals("sum", s.reduction());
        assertEquals("onehot", s.start());
        assertEquals(10, s.effectivePerClass());
        assertNull(s.referencePerClass(), "per class not given");
        assertEquals(32, s.referenceBatch());
        assertEquals(0, s.batch());
        assertEquals(0, s.seed());
        assertEquals("cpu", s.device());
        assertTrue(!s.force() && !s.signed() && !s.normalize());
        assertNull(s.composite(), "the architecture's default composite");
        assertNull(s.components(), "the architecture's default components");
        assertNull(s.rates(), "0:0.95:0.05");
    }

    @Test
    void toBuilderKeepsEverySettingAndDerivesNewOnes() {
        PruneSettings s = required().grouping("coupled").reduction("max").ranking("layer").referencePerClass(3).rates("0,0.5").classes(4)
                .validationLimit(100).testLimit(200).seed(7).signed(true).start("logit").normalize(true).batch(16).referenceBatch(8)
                .composite("epsilon").components("channels").force(true).build();
        PruneSettings copy = s.toBuilder().build();
        assertEquals(describe(s), describe(copy));
        PruneSettings other = s.toBuilder().out(Path.of("p")).build();
        assertEquals(Path.of("p"), other.out());
        assertEquals(Path.of("o"), s.out(), "the original is unchanged");
    }

    private static String describe(PruneSettings s) {
        return String.join("|", s.arch(), s.weights().toString(), s.data().toString(), s.criterion(), s.composite(), s.components(), s.grouping(),
                s.reduction(), s.ranking(), String.valueOf(s.referencePerClass()), String.valueOf(s.reference()), s.rates(), String.valueOf(s.classes()),
                String.valueOf(s.validationLimit()), String.valueOf(s.testLimit()), String.valueOf(s.seed()), String.valueOf(s.signed()), s.start(),
                String.valueOf(s.normalize()), String.valueOf(s.batch()), String.valueOf(s.referenceBatch()), s.device(), s.out().toString(),
                String.valueOf(s.force()));
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"grouping, magic, '--grouping must be independent or coupled, not ''magic'''",
        "ranking, magic, '--ranking must be global or layer, not ''magic'''",
        "reduction, magic, '--reduction must be sum, mean or max, not ''magic'''",
        "start, magic, '--start must be onehot or logit, not ''magic'''",
        "device, cuda, '--device cuda: pruning runs on the CPU backend only today'",
        "batch, -1, '--batch must be >= 1 (or 0: automatic)'",
        "referenceBatch, 0, '--reference-batch must be >= 1'"})
    void anInvalidValueIsRefusedNamingItsOption(String field, String value, String message) {
        PruneSettings.Builder b = required();
        switch (field) {
            case "grouping" -> b.grouping(value);
            case "ranking" -> b.ranking(value);
            case "reduction" -> b.reduction(value);
            case "start" -> b.start(value);
            case "device" -> b.device(value);
            case "batch" -> b.batch(Integer.parseInt(value));
            case "referenceBatch" -> b.referenceBatch(Integer.parseInt(value));
            default -> throw new IllegalArgumentException(field);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
    }

    @Test
    void aMissingRequiredValueIsNamed() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> PruneSettings.builder().arch("lenet5").build());
        assertEquals("--weights is required", e.getMessage());
    }
}
