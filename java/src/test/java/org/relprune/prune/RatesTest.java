package org.relprune.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Rates: exact decimal steps, and a bound on how many a curve may have, checked before the list is made. */
class RatesTest {
    @Test
    void aRangeGivesExactDecimalRates() {
        Rates r = Rates.parse("0:0.3:0.1");
        assertEquals(4, r.size());
        assertEquals(0.3, r.asDoubles()[3], 0.0, "0.1 + 0.1 + 0.1 in decimal is 0.3, not 0.30000000000000004");
    }

    @Test
    void millionsOfRatesAreRefusedBeforeTheyAreListed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Rates.parse("0:0.99:0.0000001"));
        assertTrue(e.getMessage().contains("more than " + Rates.MAX_RATES + " rates"), e.getMessage());
        assertEquals(Rates.MAX_RATES, Rates.parse("0:0.999:0.001").size(), "exactly the bound is allowed");
        StringBuilder many = new StringBuilder("0");
        for (int i = 0; i < Rates.MAX_RATES; i++) {
            many.append(",0.5");
        }
        assertThrows(IllegalArgumentException.class, () -> Rates.parse(many.toString()));
    }
}
