package org.relprune.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.relprune.io.pytorch.TorchCheckpoint;
import org.relprune.io.safetensors.SafetensorsReader;
import org.relprune.tensor.HostTensor;

/** Reads a model's weights from a file into host tensors, by name. */
public final class WeightFiles {
    private WeightFiles() {
    }

    /**
     * Every tensor of a weights file, converted to float32, in file order: a .safetensors file, or
     * a PyTorch state_dict checkpoint (.pt / .pth, as {@code torch.save(model.state_dict(), f)}
     * writes it; see {@link TorchCheckpoint}).
     */
    public static Map<String, HostTensor> read(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, "weights file not found");
        }
        String name = file.getFileName().toString();
        if (name.endsWith(".pt") || name.endsWith(".pth")) {
            return TorchCheckpoint.readStateDict(file);
        }
        if (!name.endsWith(".safetensors")) {
            throw new IOException(file + ": unsupported weights format (expected .safetensors, or a PyTorch state_dict .pt / .pth)");
        }
        Map<String, HostTensor> out = new LinkedHashMap<>();
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            for (String key : r.entries().keySet()) {
                out.put(key, r.readFloat(key));
            }
        }
        return out;
    }
}
