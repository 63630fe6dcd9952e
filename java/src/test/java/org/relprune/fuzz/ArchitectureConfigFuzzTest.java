package org.relprune.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Timeout;
import org.relprune.model.zoo.ModelZoo;

/**
 * Architecture configs ({@code --arch}): the input, as UTF-8, goes to {@link ModelZoo#resolve} as
 * inline JSON or a preset name; an input starting with '@' (or any other text, which resolve would
 * take for a path) is written to a file and resolved by its path instead, which reaches the file
 * reader and its {@code "architecture"} field. A rejection is a one-line ArchitectureException (or
 * a layer's IllegalArgumentException); building a graph never hangs or exhausts memory.
 */
class ArchitectureConfigFuzzTest {
    private static final Path DIR = Contract.scratch("arch");
    private static final Set<String> PRESETS = new HashSet<>();

    static {
        ModelZoo.presets().forEach(PRESETS::add);
    }

    @FuzzTest(maxDuration = FuzzSettings.CI_DURATION)
    @Timeout(FuzzSettings.TIMEOUT_SECONDS)
    void resolve(byte[] data) throws Exception {
        String text = new String(data, StandardCharsets.UTF_8);
        String arg;
        if (text.startsWith("@") || !(text.strip().startsWith("{") || PRESETS.contains(text.strip()))) {
            Path file = DIR.resolve("arch.json");
            Files.writeString(file, text.startsWith("@") ? text.substring(1) : text, StandardCharsets.UTF_8);
            arg = file.toString();
        } else {
            arg = text;
        }
        try {
            ModelZoo.resolve(arg);
            ModelZoo.resolveConfig(arg);
        } catch (IllegalArgumentException e) {
            Contract.rejected(e);
        }
    }
}
