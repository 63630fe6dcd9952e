package org.relprune.run;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import org.relprune.io.data.ImageDataset;
import org.relprune.io.data.PreparedData;
import org.relprune.train.Checkpoint;

/**
 * The train / validation / test split and normalization a model was trained with, read from its
 * sidecar (W's .json beside it); without one, the defaults of 'train' (10% validation, 10% test,
 * split seed 0, statistics of the training split).
 */
public final class ModelSplits {
    private ModelSplits() {
    }

    public static PreparedData prepare(Path weights, ImageDataset raw) throws java.io.IOException {
        JsonObject sidecar = Checkpoint.sidecarOf(weights);
        double val = 0.1;
        double tst = 0.1;
        long seed = 0;
        float[][] stats = null;
        if (sidecar != null && sidecar.has("split")) {
            JsonObject s = sidecar.getAsJsonObject("split");
            val = s.get("validation").getAsDouble();
            tst = s.get("test").getAsDouble();
            seed = s.get("seed").getAsLong();
        }
        if (sidecar != null && sidecar.has("normalization")) {
            JsonObject n = sidecar.getAsJsonObject("normalization");
            stats = new float[][] {floats(n.getAsJsonArray("mean")), floats(n.getAsJsonArray("std"))};
        }
        return PreparedData.prepare(raw, val, tst, seed, stats);
    }

    private static float[] floats(JsonArray a) {
        float[] f = new float[a.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = a.get(i).getAsFloat();
        }
        return f;
    }
}
