package org.relprune.prune;

/**
 * Summary figures of a pruning curve (accuracies as fractions): {@code aPr} the mean top-1 over
 * the rates, {@code auc} the trapezoid area under accuracy over rate, {@code topPr} the highest
 * rate keeping at least 95% of the unpruned accuracy (the first rate's; NaN when no rate does).
 */
public record CurveMetrics(double aPr, double auc, double topPr) {
    public static CurveMetrics of(double[] rates, double[] accuracy) {
        if (rates.length != accuracy.length || rates.length == 0) {
            throw new IllegalArgumentException(rates.length + " rates but " + accuracy.length + " accuracies");
        }
        double sum = 0;
        for (double a : accuracy) {
            sum += a;
        }
        double auc = 0;
        for (int i = 1; i < rates.length; i++) {
            auc += (rates[i] - rates[i - 1]) * (accuracy[i] + accuracy[i - 1]) / 2;
        }
        double top = Double.NaN;
        for (int i = 0; i < rates.length; i++) {
            if (accuracy[i] >= 0.95 * accuracy[0]) {
                top = rates[i];
            }
        }
        return new CurveMetrics(sum / accuracy.length, auc, top);
    }
}
