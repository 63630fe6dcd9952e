package org.relprune.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Counting, ranking, ties and nesting of pruning masks, on hand-worked cases. */
class PruningPlanTest {
    private static final List<PrunableLayer> TWO = List.of(new PrunableLayer("a", "a", "a.weight", 3), new PrunableLayer("b", "b", "b.weight", 2));

    @Test
    void countsAreExactFloorsNotFloatProducts() {
        Rates r = Rates.parse("0,0.29,0.35,0.95");
        // 0.29 * 100 = 28.999999999999996 in binary floating point; exactly 29
        assertEquals(29, r.count(1, 100));
        assertEquals(7, r.count(2, 20));
        assertEquals(20, r.count(3, 22)); // floor(20.9)
        assertEquals(0, r.count(0, 22));
        Rates std = Rates.standard();
        assertEquals(20, std.size());
        for (int k = 0; k < 20; k++) {
            assertEquals(22 * k / 20, std.count(k, 22), "floor(22 k / 20) at k = " + k);
        }
        assertArrayEquals(new double[] {0, 0.25, 0.5, 0.75}, Rates.parse("0:0.75:0.25").asDoubles());
    }

    @Test
    void badRatesAreClearErrors() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Rates.parse("0,0.5,0.3")).getMessage().contains("increase"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Rates.parse("0,1")).getMessage().contains("outside [0, 1)"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Rates.parse("0,x")).getMessage().contains("--rates"));
    }

    @Test
    void globalRankingPrunesTheLowestWithTiesInModelOrder() {
        // scores: a = [0.5, 0.1, 0.3], b = [0.1, 0.9]; order: a1 (0.1, layer a first), b0 (0.1), a2, a0, b1
        List<double[]> scores = List.of(new double[] {0.5, 0.1, 0.3}, new double[] {0.1, 0.9});
        PruningPlan p = PruningPlan.build(TWO, scores, Rates.parse("0,0.2,0.4,0.6,0.8"), true, false);
        assertArrayEquals(new float[] {1, 1, 1}, p.mask(0, 0));
        assertArrayEquals(new float[] {1, 0, 1}, p.mask(1, 0)); // 1 of 5
        assertArrayEquals(new float[] {1, 1}, p.mask(1, 1));
        assertArrayEquals(new float[] {1, 0, 1}, p.mask(2, 0)); // 2 of 5: a1, b0
        assertArrayEquals(new float[] {0, 1}, p.mask(2, 1));
        assertArrayEquals(new float[] {1, 0, 0}, p.mask(3, 0)); // 3: + a2
        assertArrayEquals(new float[] {0, 0, 0}, p.mask(4, 0)); // 4: + a0
        assertArrayEquals(new float[] {0, 1}, p.mask(4, 1));
        assertEquals(4, p.pruned(4));
    }

    @Test
    void perLayerRankingAndNormalization() {
        List<double[]> scores = List.of(new double[] {3, 1, 2}, new double[] {10, 30});
        PruningPlan layer = PruningPlan.build(TWO, scores, Rates.parse("0,0.5"), false, false);
        assertArrayEquals(new float[] {1, 0, 1}, layer.mask(1, 0)); // floor(1.5) = 1 of layer a
        assertArrayEquals(new float[] {0, 1}, layer.mask(1, 1)); // floor(1.0) = 1 of layer b
        // normalized: a = [0.5, 1/6, 1/3], b = [0.25, 0.75]; global 2 of 5: a1 (1/6), b0 (0.25)
        PruningPlan norm = PruningPlan.build(TWO, scores, Rates.parse("0,0.4"), true, true);
        assertArrayEquals(new float[] {1, 0, 1}, norm.mask(1, 0));
        assertArrayEquals(new float[] {0, 1}, norm.mask(1, 1));
        // without normalization the two lowest are both in layer a
        PruningPlan raw = PruningPlan.build(TWO, scores, Rates.parse("0,0.4"), true, false);
        assertArrayEquals(new float[] {1, 0, 0}, raw.mask(1, 0));
    }

    @Test
    void masksAreNestedAcrossRates() {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
        List<PrunableLayer> layers = List.of(new PrunableLayer("x", "x", "x.w", 17), new PrunableLayer("y", "y", "y.w", 9));
        List<double[]> scores = List.of(rng.doubles(17).toArray(), rng.doubles(9).toArray());
        for (boolean global : new boolean[] {true, false}) {
            PruningPlan p = PruningPlan.build(layers, scores, Rates.standard(), global, false);
            for (int k = 1; k < 20; k++) {
                for (int l = 0; l < 2; l++) {
                    float[] before = p.mask(k - 1, l);
                    float[] now = p.mask(k, l);
                    for (int i = 0; i < now.length; i++) {
                        assertTrue(before[i] == 1 || now[i] == 0, "pruned at rate " + (k - 1) + " but back at rate " + k);
                    }
                }
            }
        }
    }

    @Test
    void curveMetrics() {
        CurveMetrics m = CurveMetrics.of(new double[] {0, 0.5, 0.9}, new double[] {1.0, 0.96, 0.5});
        assertEquals((1.0 + 0.96 + 0.5) / 3, m.aPr(), 1e-12);
        assertEquals(0.5 * (1.0 + 0.96) / 2 + 0.4 * (0.96 + 0.5) / 2, m.auc(), 1e-12);
        assertEquals(0.5, m.topPr(), 0); // 0.96 >= 0.95 * 1.0; 0.5 is not
    }
}
