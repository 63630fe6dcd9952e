package org.relprune.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Pruning curves (top-1 accuracy over pruning rate, both on [0, 1]) as one PNG, written atomically. */
public final class CurvePlot {
    /** One curve: a legend label, rates in [0, 1) and accuracies in [0, 1]. */
    public record Series(String label, double[] rates, double[] accuracy) {
    }

    private CurvePlot() {
    }

    public static void write(Path file, String title, List<Series> series) throws IOException {
        LinePlot.write(file, title, new LinePlot.Axes("pruning rate", 0, 1, "top-1 accuracy", 0, 1),
                series.stream().map(c -> new LinePlot.Series(c.label(), c.rates(), c.accuracy(), LinePlot.Style.LINE_AND_POINTS)).toList());
    }
}
