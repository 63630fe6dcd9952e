package org.relprune.train;

import java.util.Locale;

/** Learning rate per epoch: constant, step decay (x gamma every stepSize epochs) or cosine to zero. */
public record LearningRateSchedule(Kind kind, int stepSize, double gamma) {
    public enum Kind { CONSTANT, STEP, COSINE }

    public static LearningRateSchedule parse(String text) {
        String t = text.toLowerCase(Locale.ROOT).strip();
        if (t.equals("constant")) {
            return new LearningRateSchedule(Kind.CONSTANT, 0, 1);
        }
        if (t.equals("cosine")) {
            return new LearningRateSchedule(Kind.COSINE, 0, 1);
        }
        if (t.startsWith("step")) {
            // step:SIZE:GAMMA, default step:10:0.1
            String[] p = t.split(":");
            try {
                int size = p.length > 1 ? Integer.parseInt(p[1]) : 10;
                double gamma = p.length > 2 ? Double.parseDouble(p[2]) : 0.1;
                if (size >= 1 && gamma > 0 && gamma <= 1 && p.length <= 3) {
                    return new LearningRateSchedule(Kind.STEP, size, gamma);
                }
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw new IllegalArgumentException("unknown schedule '" + text + "' (use constant, cosine, or step:SIZE:GAMMA)");
    }

    /** Learning rate for epoch {@code epoch} (0-based) of {@code epochs}. */
    public double at(double base, int epoch, int epochs) {
        return switch (kind) {
            case CONSTANT -> base;
            case STEP -> base * Math.pow(gamma, epoch / stepSize);
            case COSINE -> 0.5 * base * (1 + Math.cos(Math.PI * epoch / Math.max(1, epochs)));
        };
    }

    @Override
    public String toString() {
        return switch (kind) {
            case CONSTANT -> "constant";
            case COSINE -> "cosine";
            case STEP -> "step:" + stepSize + ":" + gamma;
        };
    }
}
