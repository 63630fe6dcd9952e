package org.relprune.run;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Everything a pruning run takes, immutable; made with {@link #builder()}, whose starting values
 * are the defaults (the CLI's help quotes the same constants). Values are spelled as the CLI
 * options spell them, so a batch manifest's fields map one to one; {@link Builder#build()}
 * refuses an invalid combination before any work starts.
 */
public final class PruneSettings {
    public static final String DEFAULT_GROUPING = "independent";
    public static final String DEFAULT_REDUCTION = "sum";
    public static final String DEFAULT_RANKING = "global";
    public static final String DEFAULT_START = "onehot";
    public static final String DEFAULT_DEVICE = "cpu";
    public static final int DEFAULT_REFERENCE_PER_CLASS = 10;
    public static final int DEFAULT_REFERENCE_BATCH = 32;
    /** 0: as many images per pass as keep every activation within 48 MiB, at most 1024. */
    public static final int AUTOMATIC_BATCH = 0;

    private final Path weights;
    private final Path data;
    private final Path reference;
    private final Path out;
    private final String arch;
    private final String criterion;
    private final String composite;
    private final String components;
    private final String grouping;
    private final String reduction;
    private final String ranking;
    private final String start;
    private final String rates;
    private final String device;
    private final Integer perClass;
    private final Integer classes;
    private final Integer validationLimit;
    private final Integer testLimit;
    private final long seed;
    private final boolean signed;
    private final boolean normalize;
    private final boolean force;
    private final int batch;
    private final int referenceBatch;

    private PruneSettings(Builder b) {
        arch = b.arch;
        weights = b.weights;
        data = b.data;
        criterion = b.criterion;
        composite = b.composite;
        components = b.components;
        grouping = b.grouping;
        reduction = b.reduction;
        ranking = b.ranking;
        perClass = b.perClass;
        reference = b.reference;
        rates = b.rates;
        classes = b.classes;
        validationLimit = b.validationLimit;
        testLimit = b.testLimit;
        seed = b.seed;
        signed = b.signed;
        start = b.start;
        normalize = b.normalize;
        batch = b.batch;
        referenceBatch = b.referenceBatch;
        device = b.device;
        out = b.out;
        force = b.force;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these settings, to derive others from them. */
    public Builder toBuilder() {
        return new Builder().arch(arch).weights(weights).data(data).criterion(criterion).composite(composite).components(components)
                .grouping(grouping).reduction(reduction).ranking(ranking).referencePerClass(perClass).reference(reference).rates(rates)
                .classes(classes).validationLimit(validationLimit).testLimit(testLimit).seed(seed).signed(signed).start(start)
                .normalize(normalize).batch(batch).referenceBatch(referenceBatch).device(device).out(out).force(force);
    }

    public String arch() {
        return arch;
    }

    public Path weights() {
        return weights;
    }

    public Path data() {
        return data;
    }

    /** lrp, random, l1, l2, activation, taylor or ig. */
    public String criterion() {
        return criterion;
    }

    /** The LRP composite as given, or null for the default of the architecture. */
    public String composite() {
        return composite;
    }

    /** channels, linear, neurons or heads as given, or null for the default of the architecture. */
    public String components() {
        return components;
    }

    public String grouping() {
        return grouping;
    }

    public boolean coupled() {
        return grouping.equals("coupled");
    }

    public String reduction() {
        return reduction;
    }

    public String ranking() {
        return ranking;
    }

    /** Reference images per class as given, or null: then {@link #reference()} or the default. */
    public Integer referencePerClass() {
        return perClass;
    }

    /** Reference images per class in effect when no reference file is given. */
    public int effectivePerClass() {
        return perClass == null ? DEFAULT_REFERENCE_PER_CLASS : perClass;
    }

    public Path reference() {
        return reference;
    }

    /** Rates as given (comma list or START:STOP:STEP), or null for 0:0.95:0.05. */
    public String rates() {
        return rates;
    }

    public Integer classes() {
        return classes;
    }

    public Integer validationLimit() {
        return validationLimit;
    }

    public Integer testLimit() {
        return testLimit;
    }

    public long seed() {
        return seed;
    }

    public boolean signed() {
        return signed;
    }

    public String start() {
        return start;
    }

    public boolean normalize() {
        return normalize;
    }

    public int batch() {
        return batch;
    }

    public int referenceBatch() {
        return referenceBatch;
    }

    public String device() {
        return device;
    }

    public Path out() {
        return out;
    }

    public boolean force() {
        return force;
    }

    /** Mutable collector of settings; starts at the defaults. */
    public static final class Builder {
        private String arch;
        private Path weights;
        private Path data;
        private String criterion;
        private String composite;
        private String components;
        private String grouping = DEFAULT_GROUPING;
        private String reduction = DEFAULT_REDUCTION;
        private String ranking = DEFAULT_RANKING;
        private Integer perClass;
        private Path reference;
        private String rates;
        private Integer classes;
        private Integer validationLimit;
        private Integer testLimit;
        private long seed;
        private boolean signed;
        private String start = DEFAULT_START;
        private boolean normalize;
        private int batch = AUTOMATIC_BATCH;
        private int referenceBatch = DEFAULT_REFERENCE_BATCH;
        private String device = DEFAULT_DEVICE;
        private Path out;
        private boolean force;

        private Builder() {
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

        public Builder criterion(String v) {
            criterion = v;
            return this;
        }

        public Builder composite(String v) {
            composite = v;
            return this;
        }

        public Builder components(String v) {
            components = v;
            return this;
        }

        public Builder grouping(String v) {
            grouping = v;
            return this;
        }

        public Builder reduction(String v) {
            reduction = v;
            return this;
        }

        public Builder ranking(String v) {
            ranking = v;
            return this;
        }

        public Builder referencePerClass(Integer v) {
            perClass = v;
            return this;
        }

        public Builder reference(Path v) {
            reference = v;
            return this;
        }

        public Builder rates(String v) {
            rates = v;
            return this;
        }

        public Builder classes(Integer v) {
            classes = v;
            return this;
        }

        public Builder validationLimit(Integer v) {
            validationLimit = v;
            return this;
        }

        public Builder testLimit(Integer v) {
            testLimit = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder signed(boolean v) {
            signed = v;
            return this;
        }

        public Builder start(String v) {
            start = v;
            return this;
        }

        public Builder normalize(boolean v) {
            normalize = v;
            return this;
        }

        public Builder batch(int v) {
            batch = v;
            return this;
        }

        public Builder referenceBatch(int v) {
            referenceBatch = v;
            return this;
        }

        public Builder device(String v) {
            device = v;
            return this;
        }

        public Builder out(Path v) {
            out = v;
            return this;
        }

        public Builder force(boolean v) {
            force = v;
            return this;
        }

        /** The settings; refuses missing required values and invalid option values, naming the option. */
        public PruneSettings build() {
            Objects.requireNonNull(arch, "--arch is required");
            Objects.requireNonNull(weights, "--weights is required");
            Objects.requireNonNull(data, "--data is required");
            Objects.requireNonNull(criterion, "--criterion is required");
            Objects.requireNonNull(out, "--out is required");
            if (!grouping.equals("independent") && !grouping.equals("coupled")) {
                throw new IllegalArgumentException("--grouping must be independent or coupled, not '" + grouping + "'");
            }
            if (!ranking.equals("global") && !ranking.equals("layer")) {
                throw new IllegalArgumentException("--ranking must be global or layer, not '" + ranking + "'");
            }
            if (!reduction.equals("sum") && !reduction.equals("mean") && !reduction.equals("max")) {
                throw new IllegalArgumentException("--reduction must be sum, mean or max, not '" + reduction + "'");
            }
            if (!start.equals("onehot") && !start.equals("logit")) {
                throw new IllegalArgumentException("--start must be onehot or logit, not '" + start + "'");
            }
            if (!device.equals("cpu")) {
                throw new IllegalArgumentException("--device " + device + ": pruning runs on the CPU backend only today (the CUDA masks and CNN "
                        + "LRP exist but are not yet verified on a GPU; 'explain --device cuda' runs them)");
            }
            if (batch < 0) {
                throw new IllegalArgumentException("--batch must be >= 1 (or 0: automatic)");
            }
            if (referenceBatch < 1) {
                throw new IllegalArgumentException("--reference-batch must be >= 1");
            }
            return new PruneSettings(this);
        }
    }
}
