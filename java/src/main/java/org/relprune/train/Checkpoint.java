package org.relprune.train;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import org.relprune.io.safetensors.SafetensorsWriter;
import org.relprune.tensor.HostTensor;

/**
 * A trained model on disk: {@code DIR/model.safetensors} (torchvision names) and the sidecar
 * {@code DIR/model.json} (architecture, dataset, split, normalization, training settings,
 * accuracies, versions). Both are written to temporary files and renamed into place.
 */
public final class Checkpoint {
    public static final String WEIGHTS = "model.safetensors";
    public static final String SIDECAR = "model.json";

    private Checkpoint() {
    }

    /** Refuses to replace an existing checkpoint unless {@code force}. */
    public static void write(Path dir, Map<String, HostTensor> weights, JsonObject sidecar, boolean force) throws IOException {
        Files.createDirectories(dir);
        Path w = dir.resolve(WEIGHTS);
        Path s = dir.resolve(SIDECAR);
        if (!force && (Files.exists(w) || Files.exists(s))) {
            throw new IOException(dir + " already holds a model; pass --force to replace it");
        }
        SafetensorsWriter.write(w, weights, Map.of());
        Path tmp = Files.createTempFile(dir, SIDECAR, ".tmp");
        try {
            Files.writeString(tmp, new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(sidecar) + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, s, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The sidecar beside a weights file (DIR/model.json for DIR/model.safetensors), or null if absent. */
    public static JsonObject sidecarOf(Path weights) throws IOException {
        Path parent = weights.toAbsolutePath().getParent();
        if (parent == null) {
            return null;
        }
        String name = weights.getFileName().toString();
        int dot = name.lastIndexOf('.');
        Path s = parent.resolve((dot > 0 ? name.substring(0, dot) : name) + ".json");
        if (!Files.isRegularFile(s)) {
            return null;
        }
        try {
            return JsonParser.parseString(Files.readString(s, StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (RuntimeException e) {
            throw new IOException(s + ": unreadable model sidecar: " + e.getMessage(), e);
        }
    }
}
