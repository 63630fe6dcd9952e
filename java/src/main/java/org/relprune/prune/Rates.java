package org.relprune.prune;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * Pruning rates, kept as exact decimals so that the count pruned at rate r out of N components
 * is floor(N * r) in exact arithmetic (at 0.05 steps, floor(N * k / 20)), never a rounded float.
 */
public record Rates(List<BigDecimal> values) {
    public Rates {
        values = List.copyOf(values);
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no pruning rates");
        }
        BigDecimal last = null;
        for (BigDecimal v : values) {
            if (v.signum() < 0 || v.compareTo(BigDecimal.ONE) >= 0) {
                throw new IllegalArgumentException("pruning rate " + v.toPlainString() + " is outside [0, 1)");
            }
            if (last != null && v.compareTo(last) <= 0) {
                throw new IllegalArgumentException("pruning rates must increase: " + last.toPlainString() + " then " + v.toPlainString());
            }
            last = v;
        }
    }

    /** The most rates a curve may have (each is a pruned network evaluated on the whole evaluation set). */
    public static final int MAX_RATES = 1000;

    /** 0, 0.05, ..., 0.95. */
    public static Rates standard() {
        List<BigDecimal> v = new ArrayList<>();
        for (int k = 0; k < 20; k++) {
            v.add(BigDecimal.valueOf(k).divide(BigDecimal.valueOf(20)));
        }
        return new Rates(v);
    }

    /** "0,0.1,0.5" or "START:STOP:STEP" (STOP included when hit exactly). */
    public static Rates parse(String s) {
        List<BigDecimal> v = new ArrayList<>();
        try {
            if (s.contains(":")) {
                String[] p = s.split(":");
                if (p.length != 3) {
                    throw new IllegalArgumentException("--rates '" + s + "' must be START:STOP:STEP or a comma-separated list");
                }
                BigDecimal start = new BigDecimal(p[0].trim());
                BigDecimal stop = new BigDecimal(p[1].trim());
                BigDecimal step = new BigDecimal(p[2].trim());
                if (step.signum() <= 0) {
                    throw new IllegalArgumentException("--rates step " + p[2] + " must be > 0");
                }
                // counted before the list is made: 0:0.99:0.0000001 would be 9.9 million rates
                if (stop.compareTo(start) >= 0 && stop.subtract(start).divide(step, 0, RoundingMode.FLOOR).compareTo(BigDecimal.valueOf(MAX_RATES)) >= 0) {
                    throw new IllegalArgumentException("--rates '" + s + "' gives more than " + MAX_RATES + " rates; use a larger step");
                }
                for (BigDecimal r = start; r.compareTo(stop) <= 0; r = r.add(step)) {
                    v.add(r);
                }
            } else {
                String[] items = s.split(",");
                if (items.length > MAX_RATES) {
                    throw new IllegalArgumentException("--rates lists " + items.length + " rates; at most " + MAX_RATES);
                }
                for (String t : items) {
                    v.add(new BigDecimal(t.trim()));
                }
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--rates '" + s + "': not a number list (" + e.getMessage() + ")");
        }
        return new Rates(v);
    }

    public int size() {
        return values.size();
    }

    /** floor(n * rate k). */
    public int count(int k, int n) {
        return values.get(k).multiply(BigDecimal.valueOf(n)).setScale(0, RoundingMode.FLOOR).intValueExact();
    }

    public double[] asDoubles() {
        return values.stream().mapToDouble(BigDecimal::doubleValue).toArray();
    }
}
