package org.relprune.run;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What a compaction takes: the folder of a pruning run, the rate whose components go, the output
 * prefix M (M.safetensors, M.json, M.onnx), the timed batch-1 passes per model, and whether
 * existing outputs may be replaced.
 */
public record CompactSettings(Path from, String rate, String out, int latencyRuns, boolean force) {
    public static final int DEFAULT_LATENCY_RUNS = 20;

    public CompactSettings {
        Objects.requireNonNull(from, "--from is required");
        Objects.requireNonNull(rate, "--rate is required");
        Objects.requireNonNull(out, "--out is required");
    }
}
