package org.relprune.run;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import org.relprune.backend.OptimizerSpec;
import org.relprune.model.Graph;
import org.relprune.train.LearningRateSchedule;
import org.relprune.train.TrainConfig;
import org.relprune.train.TrainDefaults;

/**
 * Everything a training run takes, immutable; made with {@link #builder()}. The training
 * settings left unset take the architecture's defaults ({@link TrainDefaults}); the split
 * defaults are the constants here.
 */
public final class TrainSettings {
    public static final double DEFAULT_VALIDATION = 0.1;
    public static final double DEFAULT_TEST = 0.1;
    public static final long DEFAULT_SPLIT_SEED = 0;

    private final Builder b;

    private TrainSettings(Builder b) {
        this.b = b.copy();
    }

    public static Builder builder() {
        return new Builder();
    }

    public String arch() {
        return b.arch;
    }

    public Path data() {
        return b.data;
    }

    public Path out() {
        return b.out;
    }

    public double validation() {
        return b.validation;
    }

    public double test() {
        return b.test;
    }

    public long splitSeed() {
        return b.splitSeed;
    }

    public boolean force() {
        return b.force;
    }

    /** The architecture's defaults with the settings given here in their place. */
    public TrainConfig config(Graph graph) {
        TrainConfig c = TrainDefaults.forGraph(graph);
        if (b.epochs != null) {
            c = c.withEpochs(b.epochs);
        }
        if (b.batch != null) {
            c = c.withBatch(b.batch);
        }
        OptimizerSpec o = c.optimizer();
        OptimizerSpec.Kind kind = o.kind();
        if (b.optimizer != null) {
            kind = switch (b.optimizer.toLowerCase(Locale.ROOT)) {
                case "sgd" -> OptimizerSpec.Kind.SGD;
                case "adam" -> OptimizerSpec.Kind.ADAM;
                default -> throw new IllegalArgumentException("unknown --optimizer '" + b.optimizer + "' (use sgd or adam)");
            };
        }
        double m = b.momentum != null ? b.momentum : kind == OptimizerSpec.Kind.SGD ? (o.kind() == kind ? o.momentum() : 0.9) : 0;
        c = c.withOptimizer(new OptimizerSpec(kind, b.lr != null ? b.lr : o.learningRate(), m,
                b.weightDecay != null ? b.weightDecay : o.weightDecay(), o.nesterov()));
        if (b.schedule != null) {
            c = c.withSchedule(LearningRateSchedule.parse(b.schedule));
        }
        if (b.seed != null) {
            c = c.withSeed(b.seed);
        }
        return c;
    }

    /** Mutable collector; unset training settings (null) mean the architecture's defaults. */
    public static final class Builder {
        private String arch;
        private Path data;
        private Path out;
        private Integer epochs;
        private Integer batch;
        private Double lr;
        private String optimizer;
        private Double momentum;
        private Double weightDecay;
        private String schedule;
        private Long seed;
        private double validation = DEFAULT_VALIDATION;
        private double test = DEFAULT_TEST;
        private long splitSeed = DEFAULT_SPLIT_SEED;
        private boolean force;

        private Builder() {
        }

        private Builder copy() {
            Builder c = new Builder();
            c.arch = arch;
            c.data = data;
            c.out = out;
            c.epochs = epochs;
            c.batch = batch;
            c.lr = lr;
            c.optimizer = optimizer;
            c.momentum = momentum;
            c.weightDecay = weightDecay;
            c.schedule = schedule;
            c.seed = seed;
            c.validation = validation;
            c.test = test;
            c.splitSeed = splitSeed;
            c.force = force;
            return c;
        }

        public Builder arch(String v) {
            arch = v;
            return this;
        }

        public Builder data(Path v) {
            data = v;
            return this;
        }

        public Builder out(Path v) {
            out = v;
            return this;
        }

        public Builder epochs(Integer v) {
            epochs = v;
            return this;
        }

        public Builder batch(Integer v) {
            batch = v;
            return this;
        }

        public Builder lr(Double v) {
            lr = v;
            return this;
        }

        public Builder optimizer(String v) {
            optimizer = v;
            return this;
        }

        public Builder momentum(Double v) {
            momentum = v;
            return this;
        }

        public Builder weightDecay(Double v) {
            weightDecay = v;
            return this;
        }

        public Builder schedule(String v) {
            schedule = v;
            return this;
        }

        public Builder seed(Long v) {
            seed = v;
            return this;
        }

        public Builder validation(double v) {
            validation = v;
            return this;
        }

        public Builder test(double v) {
            test = v;
            return this;
        }

        public Builder splitSeed(long v) {
            splitSeed = v;
            return this;
        }

        public Builder force(boolean v) {
            force = v;
            return this;
        }

        public TrainSettings build() {
            Objects.requireNonNull(arch, "--arch is required");
            Objects.requireNonNull(data, "--data is required");
            Objects.requireNonNull(out, "--out is required");
            return new TrainSettings(this);
        }
    }
}
