package org.relprune.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relprune.io.safetensors.SafetensorsWriter;
import org.relprune.model.Graph;
import org.relprune.model.RandomWeights;
import org.relprune.model.zoo.ModelZoo;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Shape;

/** Issue 15's hostile inputs at the command line: results that cannot lie, work refused before it starts, errors for people. */
class BadInputCliTest {
    private static final String MNIST = Path.of("..", "data", "mnist").toString();

    @TempDir
    static Path shared;
    /** LeNet-5 whose classifier weights are NaN: every logit is NaN, as after a diverged training. */
    private static Path nanWeights;

    @BeforeAll
    static void nanModel() throws Exception {
        Graph g = ModelZoo.resolve("lenet5");
        Map<String, HostTensor> w = new HashMap<>(RandomWeights.generate(g, 1));
        HostTensor fc = w.get("fc3.weight");
        float[] nan = new float[fc.data().length];
        java.util.Arrays.fill(nan, Float.NaN);
        w.put("fc3.weight", new HostTensor(fc.shape(), nan));
        nanWeights = shared.resolve("nan.safetensors");
        SafetensorsWriter.write(nanWeights, w, Map.of());
    }

    @Test
    void evalOfAModelWithNaNLogitsReportsZeroNotOne() {
        Cli eval = Cli.run("eval", "--arch", "lenet5", "--weights", nanWeights.toString(), "--data", MNIST, "--device", "cpu");
        assertEquals(0, eval.exitCode(), eval.err());
        JsonObject e = JsonParser.parseString(eval.out()).getAsJsonObject();
        assertEquals(0.0, e.get("top1").getAsDouble(), "before: 1.0");
        assertEquals(0.0, e.get("top5").getAsDouble(), "before: 1.0");
    }

    @Test
    void pruneOfAModelWithNaNLogitsScoresZeroAtEveryRate() throws Exception {
        Path out = shared.resolve("nanprune");
        Cli prune = Cli.run("prune", "--arch", "lenet5", "--weights", nanWeights.toString(), "--data", MNIST, "--criterion", "l1",
                "--rates", "0,0.5", "--out", out.toString(), "--force");
        assertEquals(0, prune.exitCode(), prune.err());
        JsonObject c = JsonParser.parseString(java.nio.file.Files.readString(out.resolve("curve.json"))).getAsJsonObject();
        assertEquals(0.0, c.getAsJsonArray("accuracy").get(0).getAsDouble(), "before: 0.1 (class 0 won every NaN row)");
    }

    @Test
    void forwardWarnsWhenLogitsAreNotFinite() throws Exception {
        Path in = shared.resolve("x.safetensors");
        SafetensorsWriter.write(in, Map.of("x", new HostTensor(Shape.of(3, 1, 28, 28), new float[3 * 784])), Map.of());
        Cli fwd = Cli.run("forward", "--arch", "lenet5", "--weights", nanWeights.toString(), "--input", in + ":x",
                "--out", shared.resolve("logits.safetensors").toString(), "--device", "cpu");
        assertEquals(0, fwd.exitCode(), fwd.err());
        assertTrue(fwd.err().contains("forward: warning: 3 of 3 inputs have logits that are not finite"), fwd.err());
    }

    @Test
    void anOutputThatIsAFileIsRefusedBeforeAnyWork(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("a-file");
        java.nio.file.Files.writeString(file, "precious");
        Cli prune = Cli.run("prune", "--arch", "lenet5", "--weights", nanWeights.toString(), "--data", MNIST, "--criterion", "l1",
                "--out", file.toString());
        assertEquals(1, prune.exitCode());
        assertTrue(prune.err().contains("--out " + file + " is a file, not a folder"), prune.err());
        // demo: before, 15 epochs of training, then "Not a directory" and the model lost
        Cli demo = Cli.run("demo", "--out", file.toString(), "--data", MNIST);
        assertEquals(1, demo.exitCode());
        assertTrue(demo.err().contains("is a file, not a folder") && !demo.err().contains("training LeNet-5"), demo.err());
        Cli train = Cli.run("train", "--arch", "lenet5", "--data", MNIST, "--out", file.toString());
        assertEquals(1, train.exitCode());
        assertTrue(train.err().contains("is a file, not a folder"), train.err());
        assertEquals("precious", java.nio.file.Files.readString(file));
    }

    @Test
    void anOutputWhereNothingCanBeWrittenIsRefusedBeforeAnyWork() {
        // /proc takes no new files, for root too (a chmod'ed folder would not stop root)
        Cli prune = Cli.run("prune", "--arch", "lenet5", "--weights", nanWeights.toString(), "--data", MNIST, "--criterion", "l1",
                "--out", "/proc/relprune-out");
        assertEquals(1, prune.exitCode());
        assertTrue(prune.err().contains("--out /proc/relprune-out: cannot write there"), prune.err());
        assertTrue(!prune.err().contains("prune lenet5 with"), "refused before the data was read: " + prune.err());
    }

    @Test
    void reportReplacesAnExistingPageOnlyWithForce(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        assertEquals(0, Cli.run("prune", "--arch", "lenet5", "--weights", nanWeights.toString(), "--data", MNIST, "--criterion", "l1",
                "--rates", "0,0.5", "--test-limit", "100", "--validation-limit", "100", "--out", run.toString()).exitCode());
        Path html = tmp.resolve("report.html");
        java.nio.file.Files.writeString(html, "someone's page");
        Cli report = Cli.run("report", run.toString(), "--out", html.toString());
        assertEquals(1, report.exitCode());
        assertTrue(report.err().contains("exists; pass --force"), report.err());
        assertEquals("someone's page", java.nio.file.Files.readString(html));
        assertEquals(0, Cli.run("report", run.toString(), "--out", html.toString(), "--force").exitCode());
    }

    private static String sha256(Path file) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(java.nio.file.Files.readAllBytes(file)));
    }

    @Test
    void compactionFindsTheRunsWeightsByContentAndRefusesChangedOnes(@TempDir Path tmp) throws Exception {
        Path weights = tmp.resolve("model.safetensors");
        SafetensorsWriter.write(weights, RandomWeights.generate(ModelZoo.resolve("lenet5"), 2), Map.of());
        // given relative to the working folder: before, compact resolved it against its own working folder
        Path relative = Path.of("").toAbsolutePath().relativize(weights);
        Path run = tmp.resolve("run");
        Cli prune = Cli.run("prune", "--arch", "lenet5", "--weights", relative.toString(), "--data", MNIST, "--criterion", "l1",
                "--grouping", "coupled", "--rates", "0,0.2", "--test-limit", "100", "--validation-limit", "100", "--out", run.toString());
        assertEquals(0, prune.exitCode(), prune.err());
        JsonObject p = JsonParser.parseString(java.nio.file.Files.readString(run.resolve("curve.json"))).getAsJsonObject().getAsJsonObject("provenance");
        assertEquals(weights.toAbsolutePath().toString(), p.get("weights").getAsString(), "recorded as an absolute path");
        assertEquals(sha256(weights), p.get("weights_sha256").getAsString(), "recorded by content");
        assertTrue(p.get("data_sha256").getAsString().matches("[0-9a-f]{64}"), p.toString());
        Cli compact = Cli.run("compact", "--from", run.toString(), "--rate", "0.2", "--out", tmp.resolve("small").toString(), "--latency-runs", "1");
        assertEquals(0, compact.exitCode(), compact.err());
        // other weights at the same path: before, compacted silently with exit 0
        SafetensorsWriter.write(weights, RandomWeights.generate(ModelZoo.resolve("lenet5"), 3), Map.of());
        Cli changed = Cli.run("compact", "--from", run.toString(), "--rate", "0.2", "--out", tmp.resolve("small2").toString());
        assertEquals(1, changed.exitCode());
        assertTrue(changed.err().contains("changed since the run"), changed.err());
        assertTrue(!java.nio.file.Files.exists(tmp.resolve("small2.safetensors")), "nothing written");
    }

    @Test
    void aReportRefusesCurvesMeasuredOnOtherData(@TempDir Path tmp) throws Exception {
        // the committed MNIST and a copy of it with one test image's label file changed: other data by content
        Path other = tmp.resolve("mnist-copy");
        java.nio.file.Files.createDirectories(other);
        try (var files = java.nio.file.Files.list(Path.of(MNIST))) {
            for (Path f : files.toList()) {
                java.nio.file.Files.copy(f, other.resolve(f.getFileName()));
            }
        }
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        assertEquals(0, Cli.run("prune", "--arch", "lenet5", "--weights", nanWeights.toString(), "--data", MNIST, "--criterion", "l1",
                "--rates", "0,0.5", "--test-limit", "100", "--validation-limit", "100", "--out", a.toString()).exitCode());
        try (var files = java.nio.file.Files.list(other)) {
            Path images = files.filter(f -> f.getFileName().toString().contains("images")).findFirst().orElseThrow();
            byte[] bytes;
            try (var in = new java.util.zip.GZIPInputStream(java.nio.file.Files.newInputStream(images))) {
                bytes = in.readAllBytes();
            }
            bytes[bytes.length - 1] ^= 1; // one pixel of the last image
            try (var out = new java.util.zip.GZIPOutputStream(java.nio.file.Files.newOutputStream(images))) {
                out.write(bytes);
            }
        }
        assertEquals(0, Cli.run("prune", "--arch", "lenet5", "--weights", nanWeights.toString(), "--data", other.toString(), "--criterion", "l1",
                "--rates", "0,0.5", "--test-limit", "100", "--validation-limit", "100", "--out", b.toString()).exitCode());
        Cli report = Cli.run("report", a.toString(), b.toString(), "--out", tmp.resolve("r.html").toString());
        assertEquals(1, report.exitCode());
        assertTrue(report.err().contains("measured on other data"), report.err());
    }

    @Test
    void errorsNameTheFileWithoutJavaOrLibraryInternals(@TempDir Path tmp) throws Exception {
        Path json = tmp.resolve("arch.json");
        java.nio.file.Files.writeString(json, "{\"preset\":");
        Cli arch = Cli.run("info", "--arch", json.toString());
        assertEquals(1, arch.exitCode());
        // before: "...: invalid JSON: java.io.EOFException: End of input at line 1 column 12 path $.preset"
        assertTrue(arch.err().contains(json.toString()) && !arch.err().contains("java.") && !arch.err().contains("Exception"), arch.err());
        Path run = tmp.resolve("run");
        java.nio.file.Files.createDirectories(run);
        java.nio.file.Files.writeString(run.resolve("curve.json"), "{\"criterion\": 3,, }");
        Cli report = Cli.run("report", run.toString(), "--out", tmp.resolve("r.html").toString());
        assertEquals(1, report.exitCode());
        assertTrue(report.err().contains(run.resolve("curve.json").toString()) && !report.err().contains("setStrictness")
                && !report.err().contains("https://") && !report.err().contains("Exception"), report.err());
    }
}
