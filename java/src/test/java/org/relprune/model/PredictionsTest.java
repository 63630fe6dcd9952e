package org.relprune.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The one prediction rule: largest logit, first on ties, and nothing at all for a row with a non-finite logit. */
class PredictionsTest {
    @Test
    void theLargestFiniteLogitWinsTheFirstOnTies() {
        float[] row = {0, 3, 3, -1};
        assertEquals(1, Predictions.top1(row, 0, 4, null));
        assertEquals(3, Predictions.top1(new float[] {0, 1, 1, 2}, 0, 4, new int[] {3, 0}));
        assertEquals(0, Predictions.top1(row, 0, 4, new int[] {0, 3}));
        assertEquals(0, Predictions.classesBefore(row, 0, 4, 1));
        assertEquals(1, Predictions.classesBefore(row, 0, 4, 2), "an equal logit earlier ranks before");
        assertEquals(3, Predictions.classesBefore(row, 0, 4, 3));
    }

    @Test
    void aRowWithANaNOrInfiniteLogitPredictsNothing() {
        // before: NaN compared false with everything, so a NaN label logit ranked first (top-1 1.0 for a diverged model)
        float[] nan = {Float.NaN, Float.NaN, Float.NaN};
        assertEquals(Predictions.NONE, Predictions.top1(nan, 0, 3, null));
        assertEquals(Integer.MAX_VALUE, Predictions.classesBefore(nan, 0, 3, 2));
        float[] inf = {1, Float.POSITIVE_INFINITY, 0};
        assertEquals(Predictions.NONE, Predictions.top1(inf, 0, 3, null));
        assertEquals(Integer.MAX_VALUE, Predictions.classesBefore(inf, 0, 3, 1));
        float[] oneNan = {5, Float.NaN, 0};
        assertEquals(Predictions.NONE, Predictions.top1(oneNan, 0, 3, null));
        assertEquals(0, Predictions.top1(oneNan, 0, 3, new int[] {0, 2}), "a non-finite logit of a class that does not compete is ignored");
        assertEquals(2, Predictions.nonFiniteRows(new float[] {0, 1, Float.NaN, 2, 3, Float.NEGATIVE_INFINITY}, 2));
    }
}
