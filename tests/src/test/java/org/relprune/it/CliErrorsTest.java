package org.relprune.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's failures are one line, name what is at fault, and leave existing outputs alone. */
class CliErrorsTest {
    @TempDir
    Path tmp;

    private static void assertOneLineError(Cli r, String... fragments) {
        assertEquals(1, r.exitCode(), r.err());
        String line = r.err().strip();
        assertFalse(line.contains("\n"), "error spans several lines: " + line);
        for (String f : fragments) {
            assertTrue(line.contains(f), "error '" + line + "' does not mention '" + f + "'");
        }
    }

    @Test
    void weightsForAnotherArchitectureNameTensorAndShapes() {
        Cli r = Cli.run("info", "--arch", "resnet18", "--weights", GoldenFixtures.model("resnet_basic").toString());
        assertOneLineError(r, "conv1.weight", "[16, 3, 7, 7]", "[64, 3, 7, 7]");
    }

    @Test
    void unknownArchitectureListsPresets() {
        assertOneLineError(Cli.run("info", "--arch", "resnet19"), "resnet19", "resnet18");
    }

    @Test
    void unknownConfigFieldIsNamed() {
        assertOneLineError(Cli.run("info", "--arch", "{\"family\":\"torchvision.ResNet\",\"block\":\"BasicBlock\",\"layers\":[1,1,1,1],\"widht\":16}"),
                "widht");
    }

    @Test
    void missingInputKeyIsNamed() throws Exception {
        Path out = tmp.resolve("o.safetensors");
        Cli r = Cli.run("forward", "--arch", GoldenFixtures.arch("vit_tiny").toString(), "--weights", GoldenFixtures.model("vit_tiny").toString(),
                "--input", GoldenFixtures.golden("vit_tiny") + ":images", "--out", out.toString(), "--device", "cpu");
        assertOneLineError(r, "images");
        assertFalse(Files.exists(out));
    }

    @Test
    void wrongInputShapeIsExplained() {
        Cli r = Cli.run("forward", "--arch", GoldenFixtures.arch("vit_tiny").toString(), "--weights", GoldenFixtures.model("vit_tiny").toString(),
                "--input", GoldenFixtures.golden("resnet_basic") + ":input", "--out", tmp.resolve("o.safetensors").toString(), "--device", "cpu");
        assertOneLineError(r, "[4, 3, 64, 64]", "3, 32, 32");
    }

    @Test
    void existingOutputIsNotOverwrittenWithoutForce() throws Exception {
        Path out = tmp.resolve("keep.safetensors");
        Files.writeString(out, "precious");
        Cli r = Cli.run("forward", "--arch", GoldenFixtures.arch("vit_tiny").toString(), "--weights", GoldenFixtures.model("vit_tiny").toString(),
                "--input", GoldenFixtures.golden("vit_tiny") + ":input", "--out", out.toString(), "--device", "cpu");
        assertOneLineError(r, "--force");
        assertEquals("precious", Files.readString(out));
    }

    @Test
    void corruptWeightsFileIsOneLine() throws Exception {
        Path bad = tmp.resolve("bad.safetensors");
        Files.write(bad, new byte[] {1, 2, 3});
        assertOneLineError(Cli.run("info", "--arch", "lenet5", "--weights", bad.toString()), bad.toString());
    }

    @Test
    void cudaRequestedWithoutCudaSaysUnavailable() {
        Cli r = Cli.run("forward", "--arch", "lenet5", "--weights", GoldenFixtures.model("vit_tiny").toString(),
                "--input", GoldenFixtures.golden("vit_tiny") + ":input", "--out", tmp.resolve("o.safetensors").toString(), "--device", "cuda");
        // On a machine with a GPU this fails later (the weights do not fit lenet5); without one it fails at the device.
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("CUDA backend unavailable") || r.err().contains("does not fit"), r.err());
    }

    @Test
    void badCompositeNamesTheToken() {
        Cli r = Cli.run("explain", "--arch", GoldenFixtures.arch("resnet_basic").toString(), "--weights", GoldenFixtures.model("resnet_basic").toString(),
                "--input", GoldenFixtures.golden("resnet_basic") + ":input", "--composite", "conv=gama:0.25", "--out", tmp.resolve("r.safetensors").toString());
        assertOneLineError(r, "gama");
        Cli zero = Cli.run("explain", "--arch", GoldenFixtures.arch("resnet_basic").toString(), "--weights", GoldenFixtures.model("resnet_basic").toString(),
                "--input", GoldenFixtures.golden("resnet_basic") + ":input", "--composite", "epsilon", "--batch", "0",
                "--out", tmp.resolve("z.safetensors").toString());
        assertOneLineError(zero, "--batch must be at least 1, got 0");
    }

    @Test
    void everyCommandHasHelp() {
        for (String cmd : new String[] {"info", "forward", "train", "eval", "explain"}) {
            Cli r = Cli.run(cmd, "--help");
            assertEquals(0, r.exitCode());
            assertTrue(r.out().contains("Usage: relprune " + cmd), r.out());
        }
    }
}
