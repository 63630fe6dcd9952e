package org.relprune.run;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Everything a composite search takes, immutable; made with {@link #builder()}, whose starting
 * values are the defaults (the CLI's help quotes the same constants).
 */
public final class SearchSettings {
    public static final String DEFAULT_STRATEGY = "bo";
    public static final int DEFAULT_WARMUP = 10;
    public static final int DEFAULT_REFERENCE_PER_CLASS = 10;
    public static final int DEFAULT_VALIDATION_LIMIT = 2000;
    public static final int DEFAULT_LEASE_SECONDS = 120;
    /** Reference images per LRP pass of a trial (the chunks whose forward passes are cached). */
    public static final int REFERENCE_CHUNK = 32;

    private final Builder b;

    private SearchSettings(Builder b) {
        this.b = b.copy();
    }

    public static Builder builder() {
        return new Builder();
    }

    public String arch() {
        return b.arch;
    }

    public Path weights() {
        return b.weights;
    }

    public Path data() {
        return b.data;
    }

    /** Trials of the whole study. */
    public int trials() {
        return b.trials;
    }

    /** bo or random. */
    public String strategy() {
        return b.strategy;
    }

    public int warmup() {
        return b.warmup;
    }

    /** The search space file, or null for every group and rule. */
    public Path space() {
        return b.space;
    }

    public long seed() {
        return b.seed;
    }

    public Path study() {
        return b.study;
    }

    public Path out() {
        return b.out;
    }

    public int referencePerClass() {
        return b.perClass;
    }

    public int validationLimit() {
        return b.validationLimit;
    }

    public Integer testLimit() {
        return b.testLimit;
    }

    public int leaseSeconds() {
        return b.lease;
    }

    public int batch() {
        return b.batch;
    }

    /** Whether results of another search in --out may be replaced. */
    public boolean force() {
        return b.force;
    }

    /** Mutable collector of settings; starts at the defaults. */
    public static final class Builder {
        private String arch;
        private Path weights;
        private Path data;
        private int trials;
        private String strategy = DEFAULT_STRATEGY;
        private int warmup = DEFAULT_WARMUP;
        private Path space;
        private long seed;
        private Path study;
        private Path out;
        private int perClass = DEFAULT_REFERENCE_PER_CLASS;
        private int validationLimit = DEFAULT_VALIDATION_LIMIT;
        private Integer testLimit;
        private int lease = DEFAULT_LEASE_SECONDS;
        private int batch = PruneSettings.AUTOMATIC_BATCH;
        private boolean force;

        private Builder() {
        }

        private Builder copy() {
            Builder c = new Builder();
            c.arch = arch;
            c.weights = weights;
            c.data = data;
            c.trials = trials;
            c.strategy = strategy;
            c.warmup = warmup;
            c.space = space;
            c.seed = seed;
            c.study = study;
            c.out = out;
            c.perClass = perClass;
            c.validationLimit = validationLimit;
            c.testLimit = testLimit;
            c.lease = lease;
            c.batch = batch;
            c.force = force;
            return c;
        }

        public Builder arch(String v) {
            arch = v;
            return this;
        }

        public Builder weights(Path v) {
            weights = v;
            return this;
        }

        public Builder data(Path v) {
            data = v;
            return this;
        }

        public Builder trials(int v) {
            trials = v;
            return this;
        }

        public Builder strategy(String v) {
            strategy = v;
            return this;
        }

        public Builder warmup(int v) {
            warmup = v;
            return this;
        }

        public Builder space(Path v) {
            space = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder study(Path v) {
            study = v;
            return this;
        }

        public Builder out(Path v) {
            out = v;
            return this;
        }

        public Builder referencePerClass(int v) {
            perClass = v;
            return this;
        }

        public Builder validationLimit(int v) {
            validationLimit = v;
            return this;
        }

        public Builder testLimit(Integer v) {
            testLimit = v;
            return this;
        }

        public Builder leaseSeconds(int v) {
            lease = v;
            return this;
        }

        public Builder batch(int v) {
            batch = v;
            return this;
        }

        public Builder force(boolean v) {
            force = v;
            return this;
        }

        /** The settings; refuses missing required values and invalid option values, naming the option. */
        public SearchSettings build() {
            Objects.requireNonNull(arch, "--arch is required");
            Objects.requireNonNull(weights, "--weights is required");
            Objects.requireNonNull(data, "--data is required");
            Objects.requireNonNull(study, "--study is required");
            Objects.requireNonNull(out, "--out is required");
            if (trials < 1) {
                throw new IllegalArgumentException("--trials must be >= 1");
            }
            if (lease < 1) {
                // a lease of 0 would take every running trial back at once, and a heartbeat needs a period
                throw new IllegalArgumentException("--lease must be at least 1 (seconds), got " + lease);
            }
            if (!strategy.equals("random") && !strategy.equals("bo")) {
                throw new IllegalArgumentException("unknown --strategy '" + strategy + "' (random, bo)");
            }
            return new SearchSettings(this);
        }
    }
}
