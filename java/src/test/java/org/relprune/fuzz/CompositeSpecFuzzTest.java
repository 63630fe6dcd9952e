package org.relprune.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Timeout;
import org.relprune.lrp.composite.Composite;
import org.relprune.lrp.composite.CompositeSpec;
import org.relprune.lrp.composite.Composites;

/**
 * Composite names and spec strings ({@code --composite}, search trials): the input, as UTF-8, goes
 * to {@link Composites#named}. A rejection is a one-line CompositeException; an accepted spec's
 * canonical form must parse back to itself.
 */
class CompositeSpecFuzzTest {
    @FuzzTest(maxDuration = FuzzSettings.CI_DURATION)
    @Timeout(FuzzSettings.TIMEOUT_SECONDS)
    void parse(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        Composite c;
        try {
            c = Composites.named(text);
        } catch (IllegalArgumentException e) {
            Contract.rejected(e);
            return;
        }
        String canonical = c.spec();
        assertEquals(canonical, CompositeSpec.parse(canonical).spec(), "canonical spec of '" + text + "' does not round-trip");
    }
}
