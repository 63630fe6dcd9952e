package org.relprune.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.relprune.io.safetensors.SafetensorsReader;
import org.relprune.tensor.HostTensor;

/** `relprune forward` on CPU reproduces the logits of every golden fixture (relative L2 <= 1e-5). */
class GoldenForwardTest {
    @TempDir
    Path tmp;

    static Iterable<String> fixtures() {
        return GoldenFixtures.NAMES;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void forwardMatchesGoldenLogits(String name) throws Exception {
        Path out = tmp.resolve(name + ".logits.safetensors");
        Cli r = Cli.run("forward", "--arch", GoldenFixtures.arch(name).toString(), "--weights", GoldenFixtures.model(name).toString(),
                "--input", GoldenFixtures.golden(name) + ":input", "--out", out.toString(), "--device", "cpu");
        assertEquals(0, r.exitCode(), r.err());
        HostTensor ours;
        HostTensor golden;
        try (SafetensorsReader o = SafetensorsReader.open(out); SafetensorsReader g = SafetensorsReader.open(GoldenFixtures.golden(name))) {
            ours = o.readFloat("logits");
            golden = g.readFloat("logits");
        }
        double err = Errors.relativeL2(ours, golden);
        System.out.printf("golden forward %s: relative L2 error %.3e%n", name, err);
        assertTrue(err <= 1e-5, name + ": relative L2 error " + err);
    }
}
