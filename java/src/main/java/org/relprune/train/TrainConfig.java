package org.relprune.train;

import org.relprune.backend.OptimizerSpec;

/**
 * Everything that decides a training run. Immutable; {@link TrainDefaults} gives a good one per
 * architecture and {@link #with} variants override single settings.
 */
public record TrainConfig(int epochs, int batch, OptimizerSpec optimizer, LearningRateSchedule schedule, long seed) {
    public TrainConfig {
        if (epochs < 1 || batch < 1) {
            throw new IllegalArgumentException("epochs and batch must be at least 1, got " + epochs + " and " + batch);
        }
    }

    public TrainConfig withEpochs(int e) {
        return new TrainConfig(e, batch, optimizer, schedule, seed);
    }

    public TrainConfig withBatch(int b) {
        return new TrainConfig(epochs, b, optimizer, schedule, seed);
    }

    public TrainConfig withOptimizer(OptimizerSpec o) {
        return new TrainConfig(epochs, batch, o, schedule, seed);
    }

    public TrainConfig withSchedule(LearningRateSchedule s) {
        return new TrainConfig(epochs, batch, optimizer, s, seed);
    }

    public TrainConfig withSeed(long s) {
        return new TrainConfig(epochs, batch, optimizer, schedule, s);
    }
}
