package org.relprune.run;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What an evaluation takes: the model, the dataset, the split (train, validation, test, or all
 * of the data), the device and the images per pass.
 */
public record EvalSettings(String arch, Path weights, Path data, String split, String device, int batch) {
    public static final String DEFAULT_SPLIT = "test";
    public static final String DEFAULT_DEVICE = "auto";
    public static final int DEFAULT_BATCH = 256;

    public EvalSettings {
        Objects.requireNonNull(arch, "--arch is required");
        Objects.requireNonNull(weights, "--weights is required");
        Objects.requireNonNull(data, "--data is required");
        Objects.requireNonNull(split, "--split is required");
        Objects.requireNonNull(device, "--device is required");
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be at least 1, got " + batch);
        }
    }
}
