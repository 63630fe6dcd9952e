package org.relprune.it;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;

/** The golden fixtures (../shared/golden, copied into this module's test resources). */
final class GoldenFixtures {
    static final List<String> NAMES = List.of("resnet_basic", "vit_tiny");

    private GoldenFixtures() {
    }

    static Path dir() {
        try {
            return Path.of(GoldenFixtures.class.getResource("/golden/README.md").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path arch(String name) {
        return dir().resolve(name + ".json");
    }

    static Path model(String name) {
        return dir().resolve(name + ".model.safetensors");
    }

    static Path golden(String name) {
        return dir().resolve(name + ".golden.safetensors");
    }
}
