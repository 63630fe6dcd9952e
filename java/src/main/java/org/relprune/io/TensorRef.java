package org.relprune.io;

import java.io.IOException;
import java.nio.file.Path;
import org.relprune.io.safetensors.SafetensorsReader;
import org.relprune.tensor.HostTensor;

/**
 * A tensor named on the command line as {@code FILE.safetensors:KEY} (the key may contain ':'
 * and '/'; the file part ends at the first ":" after ".safetensors").
 */
public record TensorRef(Path file, String key) {
    public static TensorRef parse(String text) {
        int at = text.indexOf(".safetensors:");
        if (at < 0) {
            throw new IllegalArgumentException("tensor reference '" + text + "' must be FILE.safetensors:KEY");
        }
        String key = text.substring(at + ".safetensors:".length());
        if (key.isEmpty()) {
            throw new IllegalArgumentException("tensor reference '" + text + "' names no tensor after ':'");
        }
        return new TensorRef(Path.of(text.substring(0, at + ".safetensors".length())), key);
    }

    public HostTensor read() throws IOException {
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            r.entry(key);
            return r.readFloat(key);
        }
    }

    @Override
    public String toString() {
        return file + ":" + key;
    }
}
