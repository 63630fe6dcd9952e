package org.relprune.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;

/**
 * A search's objective over its trials as one PNG, drawn by JFreeChart: every finished trial's
 * value (points), the best so far (line) and a reference value such as the default composite's
 * (flat line), so a reader sees whether and when the search overtook the default.
 */
public final class TrialsPlot {
    private TrialsPlot() {
    }

    /**
     * @param numbers    trial numbers (0-based, drawn 1-based), ascending
     * @param objectives their objective values (a NaN is left out, and the best so far carries on past it)
     * @param reference  the flat line's value, or NaN for none
     */
    public static void write(Path png, String title, String objective, int[] numbers, double[] objectives, String referenceLabel, double reference)
            throws IOException {
        Charts.write(png, chart(title, objective, numbers, objectives, referenceLabel, reference));
    }

    /** The figure {@link #write} draws. */
    static JFreeChart chart(String title, String objective, int[] numbers, double[] objectives, String referenceLabel, double reference) {
        if (numbers.length == 0 || numbers.length != objectives.length) {
            throw new IllegalArgumentException("trials plot needs as many objectives as trials, at least one (got " + numbers.length + " and "
                    + objectives.length + ")");
        }
        double[] x = new double[numbers.length];
        double[] best = new double[numbers.length];
        double lo = Double.isFinite(reference) ? reference : Double.POSITIVE_INFINITY;
        double hi = Double.isFinite(reference) ? reference : Double.NEGATIVE_INFINITY;
        for (int i = 0; i < numbers.length; i++) {
            x[i] = numbers[i] + 1;
            double o = objectives[i];
            best[i] = i == 0 || Double.isNaN(best[i - 1]) ? o : Double.isNaN(o) ? best[i - 1] : Math.max(best[i - 1], o);
            if (Double.isFinite(o)) {
                lo = Math.min(lo, o);
                hi = Math.max(hi, o);
            }
        }
        if (lo > hi) { // no finite value to show: an empty [0, 1]
            lo = 0;
            hi = 1;
        }
        double pad = Math.max(1e-3, 0.05 * (hi - lo));
        double xMax = Math.max(x[x.length - 1], 2);
        List<Charts.Series> series = new ArrayList<>(List.of(
                new Charts.Series("trial", x, objectives, Charts.Style.POINTS),
                new Charts.Series("best so far", x, best, Charts.Style.LINE)));
        if (!Double.isNaN(reference)) {
            series.add(new Charts.Series(referenceLabel, new double[] {1, xMax}, new double[] {reference, reference}, Charts.Style.LINE));
        }
        NumberAxis trials = Charts.axis("trial", 1, xMax);
        trials.setStandardTickUnits(NumberAxis.createIntegerTickUnits(Locale.ROOT));
        return Charts.chart(title, trials, Charts.axis(objective, lo - pad, hi + pad), series);
    }
}
