package org.relprune.io.data;

/**
 * A dataset split into train / validation / test (stratified, seeded) and normalized with
 * per-channel statistics of the training split (or given ones, e.g. from a model's sidecar).
 * Tensor datasets are already normalized and are used as they are.
 */
public record PreparedData(ImageDataset train, ImageDataset validation, ImageDataset test, float[] mean, float[] std,
                           double validationFraction, double testFraction, long splitSeed) {

    /** @param stats {mean, std} to normalize with, or null to compute them on the training split */
    public static PreparedData prepare(ImageDataset raw, double validationFraction, double testFraction, long splitSeed, float[][] stats) {
        Splits.Split split = Splits.seeded(raw.labels(), validationFraction, testFraction, splitSeed);
        if (raw.normalized()) {
            return new PreparedData(raw.subset(split.train()), raw.subset(split.validation()), raw.subset(split.test()),
                    null, null, validationFraction, testFraction, splitSeed);
        }
        float[][] s = stats != null ? stats : ImageDataset.channelStats(raw, split.train());
        ImageDataset normalized = raw.normalized(s[0], s[1]);
        return new PreparedData(normalized.subset(split.train()), normalized.subset(split.validation()),
                normalized.subset(split.test()), s[0], s[1], validationFraction, testFraction, splitSeed);
    }

    /** The split named on the command line: train, validation, test or all. */
    public ImageDataset split(String name) {
        return switch (name) {
            case "train" -> train;
            case "validation", "val" -> validation;
            case "test" -> test;
            default -> throw new IllegalArgumentException("unknown split '" + name + "' (use train, validation or test)");
        };
    }
}
