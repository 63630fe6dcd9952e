package org.relprune.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PruningReportTest {
    @Test
    void searchedParametersAreShortenedForLegendsOnly() {
        assertEquals("low=epsilon:0.500,mid=alphabeta:1.457:0.457,fc=epsilon:5.698E-5",
                PruningReport.shortNumbers("low=epsilon:0.5002162011349792,mid=alphabeta:1.4572735445763483:0.4572735445763483,fc=epsilon:5.698550215898613E-5"));
        assertEquals("conv=gamma:0.25,linear=epsilon:1e-6", PruningReport.shortNumbers("conv=gamma:0.25,linear=epsilon:1e-6"), "short values unchanged");
    }
}
