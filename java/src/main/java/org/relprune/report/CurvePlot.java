package org.relprune.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.JFreeChart;

/** Pruning curves (top-1 accuracy over pruning rate, both on [0, 1]) as one PNG, written atomically; drawn by JFreeChart. */
public final class CurvePlot {
    /** One curve: a legend label, rates in [0, 1) and accuracies in [0, 1] (a NaN leaves a gap). */
    public record Series(String label, double[] rates, double[] accuracy) {
    }

    private CurvePlot() {
    }

    public static void write(Path file, String title, List<Series> series) throws IOException {
        Charts.write(file, chart(title, series));
    }

    /** The figure {@link #write} draws: each curve as a line with dots, in palette order; labels every 0.2, grid every 0.1. */
    static JFreeChart chart(String title, List<Series> series) {
        return Charts.chart(title, Charts.ticks(Charts.axis("pruning rate", 0, 1), 0.2, "0.0", 1),
                Charts.ticks(Charts.axis("top-1 accuracy", 0, 1), 0.2, "0.0", 1),
                series.stream().map(c -> new Charts.Series(c.label(), c.rates(), c.accuracy(), Charts.Style.LINE_AND_POINTS)).toList());
    }
}
