package org.relprune.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `relprune train` then `relprune eval` on the committed MNIST data, end to end. */
class TrainEvalCliTest {
    private static final String MNIST = Path.of("..", "data", "mnist").toString();

    @Test
    void trainWritesWeightsAndSidecarAndEvalAgrees(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("lenet");
        Cli train = Cli.run("train", "--arch", "lenet5", "--data", MNIST, "--epochs", "2", "--out", out.toString());
        assertEquals(0, train.exitCode(), train.err());
        JsonObject sidecar = JsonParser.parseString(Files.readString(out.resolve("model.json"))).getAsJsonObject();
        double test = sidecar.getAsJsonObject("accuracy").getAsJsonObject("test").get("top1").getAsDouble();
        assertTrue(test > 0.9 && test <= 1.0, "test top-1 " + test);
        assertEquals("lenet5", sidecar.get("architecture_name").getAsString());
        int testSamples = sidecar.getAsJsonObject("split").get("test_samples").getAsInt();
        assertTrue(Math.abs(testSamples - 1000) <= 10, "10% of 10,000 held out, per class rounding: " + testSamples);
        assertTrue(sidecar.getAsJsonObject("versions").has("java"));

        Cli eval = Cli.run("eval", "--arch", "lenet5", "--weights", out.resolve("model.safetensors").toString(), "--data", MNIST,
                "--device", "cpu");
        assertEquals(0, eval.exitCode(), eval.err());
        JsonObject e = JsonParser.parseString(eval.out()).getAsJsonObject();
        assertEquals(test, e.get("top1").getAsDouble(), 1e-12, "eval reproduces the sidecar's test accuracy");
        assertEquals(testSamples, e.get("samples").getAsInt());

        Cli again = Cli.run("train", "--arch", "lenet5", "--data", MNIST, "--epochs", "1", "--out", out.toString());
        assertEquals(1, again.exitCode());
        assertTrue(again.err().contains("--force"), again.err());
    }

    @Test
    void aDivergedTrainingSaysSoAndSavesNoNaNModel(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("diverged");
        Cli train = Cli.run("train", "--arch", "lenet5", "--data", MNIST, "--epochs", "1", "--lr", "1e30", "--out", out.toString());
        // before: "validation top-1 1.0000" (NaN logits counted right), then a Gson message about NaN
        assertEquals(1, train.exitCode(), train.err());
        assertTrue(train.err().contains("training diverged at epoch 1") && train.err().contains("lower --lr")
                && train.err().contains("nothing saved"), train.err());
        assertTrue(!Files.exists(out.resolve("model.safetensors")), "no model of NaN weights");
    }

    @Test
    void architectureThatDoesNotFitTheImagesIsRefused(@TempDir Path tmp) {
        Cli r = Cli.run("train", "--arch", "resnet20", "--data", MNIST, "--epochs", "1", "--out", tmp.resolve("x").toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("[1, 28, 28]") && r.err().contains("[3, 32, 32]"), r.err());
    }
}
