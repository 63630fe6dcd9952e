package org.relprune.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A search's objective over its trials as one PNG: every finished trial's value (points), the
 * best so far (line) and a reference value such as the default composite's (flat line), so a
 * reader sees whether and when the search overtook the default.
 */
public final class TrialsPlot {
    private TrialsPlot() {
    }

    /**
     * @param numbers    trial numbers (0-based, drawn 1-based), ascending
     * @param objectives their objective values
     * @param reference  the flat line's value, or NaN for none
     */
    public static void write(Path png, String title, String objective, int[] numbers, double[] objectives, String referenceLabel, double reference)
            throws IOException {
        if (numbers.length == 0 || numbers.length != objectives.length) {
            throw new IllegalArgumentException("trials plot needs as many objectives as trials, at least one (got " + numbers.length + " and "
                    + objectives.length + ")");
        }
        double[] x = new double[numbers.length];
        double[] best = new double[numbers.length];
        double lo = Double.isNaN(reference) ? Double.POSITIVE_INFINITY : reference;
        double hi = Double.isNaN(reference) ? Double.NEGATIVE_INFINITY : reference;
        for (int i = 0; i < numbers.length; i++) {
            x[i] = numbers[i] + 1;
            best[i] = i == 0 ? objectives[i] : Math.max(best[i - 1], objectives[i]);
            lo = Math.min(lo, objectives[i]);
            hi = Math.max(hi, objectives[i]);
        }
        double pad = Math.max(1e-3, 0.05 * (hi - lo));
        double xMax = Math.max(x[x.length - 1], 2);
        var axes = new LinePlot.Axes("trial", 1, xMax, objective, lo - pad, hi + pad);
        List<LinePlot.Series> series = new java.util.ArrayList<>(List.of(
                new LinePlot.Series("trial", x, objectives, LinePlot.Style.POINTS),
                new LinePlot.Series("best so far", x, best, LinePlot.Style.LINE)));
        if (!Double.isNaN(reference)) {
            series.add(new LinePlot.Series(referenceLabel, new double[] {1, xMax}, new double[] {reference, reference}, LinePlot.Style.LINE));
        }
        LinePlot.write(png, title, axes, series);
    }
}
