package org.relprune.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** `relprune prune`, `report`, `compact` and `demo` on the committed MNIST, end to end: one test per behaviour, one trained model for all. */
class PruneCliTest {
    private static final String MNIST = Path.of("..", "data", "mnist").toString();

    @TempDir
    static Path shared;
    private static String weights;
    private static double dense;
    private static Path lrpRun;

    private static JsonObject curve(Path dir) throws Exception {
        return JsonParser.parseString(Files.readString(dir.resolve("curve.json"))).getAsJsonObject();
    }

    /** `prune` on the shared model with the given options after --weights/--data. */
    private static Cli prune(String... options) {
        List<String> args = new ArrayList<>(List.of("prune", "--arch", "lenet5", "--weights", weights, "--data", MNIST));
        args.addAll(List.of(options));
        return Cli.run(args.toArray(String[]::new));
    }

    @BeforeAll
    static void trainAndPruneOnce() throws Exception {
        Path model = shared.resolve("lenet");
        Cli train = Cli.run("train", "--arch", "lenet5", "--data", MNIST, "--epochs", "1", "--out", model.toString());
        assertEquals(0, train.exitCode(), train.err());
        weights = model.resolve("model.safetensors").toString();
        Cli eval = Cli.run("eval", "--arch", "lenet5", "--weights", weights, "--data", MNIST, "--device", "cpu");
        dense = JsonParser.parseString(eval.out()).getAsJsonObject().get("top1").getAsDouble();
        lrpRun = shared.resolve("lrp");
        Cli lrp = prune("--criterion", "lrp", "--out", lrpRun.toString());
        assertEquals(0, lrp.exitCode(), lrp.err());
    }

    @Test
    void theCurveCountsPrunedChannelsExactlyAndStartsAtEvalsAccuracy() throws Exception {
        JsonObject c = curve(lrpRun);
        JsonArray rates = c.getAsJsonArray("rates");
        JsonArray acc = c.getAsJsonArray("accuracy");
        JsonArray pruned = c.getAsJsonArray("pruned");
        assertEquals(20, rates.size());
        assertEquals(22, c.get("total_components").getAsInt(), "LeNet-5: 6 + 16 conv channels");
        double sum = 0;
        for (int k = 0; k < 20; k++) {
            assertEquals(k / 20.0, rates.get(k).getAsDouble(), 1e-12);
            assertEquals(22 * k / 20, pruned.get(k).getAsInt(), "floor(22 k / 20) pruned at rate " + k + "/20");
            double a = acc.get(k).getAsDouble();
            assertTrue(a >= 0 && a <= 1, "accuracy is a fraction: " + a);
            sum += a;
        }
        assertEquals(dense, acc.get(0).getAsDouble(), 1e-12, "rate 0 of the curve = eval's dense test accuracy");
        assertEquals(sum / 20, c.get("a_pr").getAsDouble(), 1e-12);
        assertEquals("lrp", c.get("criterion").getAsString());
        assertEquals(20, c.getAsJsonObject("validation").getAsJsonArray("accuracy").size());
        assertTrue(c.getAsJsonObject("provenance").getAsJsonObject("versions").has("java"));
        assertTrue(Files.size(lrpRun.resolve("curve.png")) > 1000);
    }

    @Test
    void reportPutsRunsSideBySide(@TempDir Path tmp) throws Exception {
        Path random = tmp.resolve("random");
        assertEquals(0, prune("--criterion", "random", "--seed", "3", "--out", random.toString()).exitCode());
        Path html = tmp.resolve("report.html");
        Cli report = Cli.run("report", lrpRun.toString(), random.toString(), "--out", html.toString());
        assertEquals(0, report.exitCode(), report.err());
        String page = Files.readString(html);
        assertTrue(page.contains("lrp (epsilon_plus)") && page.contains("random") && page.contains("data:image/png;base64,"), "report lists both runs");
    }

    @Test
    void reportRefusesAFolderWithoutACurve(@TempDir Path tmp) {
        Cli notRun = Cli.run("report", tmp.resolve("nothing").toString(), "--out", tmp.resolve("r2.html").toString());
        assertTrue(notRun.exitCode() == 1 && notRun.err().contains("curve.json"), notRun.err());
    }

    @Test
    void anExistingCurveIsReplacedOnlyWithForce() {
        Cli again = prune("--criterion", "lrp", "--out", lrpRun.toString());
        assertEquals(1, again.exitCode());
        assertTrue(again.err().contains("--force"), again.err());
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"--criterion, magic, 'magic'", "--rates, '0.1,0.5', start at 0", "--grouping, magic, --grouping", "--ranking, magic, --ranking",
        "--reduction, magic, --reduction", "--start, magic, --start", "--components, magic, --components"})
    void anInvalidOptionIsRefusedNamingIt(String option, String value, String named, @TempDir Path tmp) {
        List<String> args = new ArrayList<>(List.of("--criterion", "l1", "--out", tmp.resolve("x").toString()));
        if (option.equals("--criterion")) {
            args.set(1, value);
        } else {
            args.addAll(List.of(option, value));
        }
        Cli bad = prune(args.toArray(String[]::new));
        assertTrue(bad.exitCode() == 1 && bad.err().contains(named), bad.err());
        assertTrue(!Files.exists(tmp.resolve("x").resolve("curve.json")), "nothing written");
    }

    @Test
    void compactionNeedsACoupledRun(@TempDir Path tmp) {
        Cli independent = Cli.run("compact", "--from", lrpRun.toString(), "--rate", "0.3", "--out", tmp.resolve("no").toString());
        assertTrue(independent.exitCode() == 1 && independent.err().contains("--grouping coupled"), independent.err());
    }

    @Test
    void theCompactedModelScoresWhatTheCurveScoredAtItsRate(@TempDir Path tmp) throws Exception {
        Path coupledRun = tmp.resolve("coupled");
        assertEquals(0, prune("--criterion", "lrp", "--grouping", "coupled", "--out", coupledRun.toString()).exitCode());
        String small = tmp.resolve("small").resolve("lenet5-p30").toString();
        Cli compact = Cli.run("compact", "--from", coupledRun.toString(), "--rate", "0.3", "--out", small, "--latency-runs", "3");
        assertEquals(0, compact.exitCode(), compact.err());
        JsonObject figures = JsonParser.parseString(compact.out()).getAsJsonObject();
        assertEquals(6, figures.get("pruned_components").getAsInt(), "floor(22 * 0.3)");
        assertTrue(figures.getAsJsonObject("after").get("parameters").getAsLong() < figures.getAsJsonObject("before").get("parameters").getAsLong());
        assertTrue(figures.getAsJsonObject("after").get("flops").getAsLong() < figures.getAsJsonObject("before").get("flops").getAsLong());
        assertTrue(Files.size(Path.of(small + ".onnx")) > 1000, "M.onnx written (run by ONNX Runtime in OnnxExportTest)");
        Cli evalSmall = Cli.run("eval", "--arch", small + ".json", "--weights", small + ".safetensors", "--data", MNIST, "--device", "cpu");
        assertEquals(0, evalSmall.exitCode(), evalSmall.err());
        assertEquals(curve(coupledRun).getAsJsonArray("accuracy").get(6).getAsDouble(),
                JsonParser.parseString(evalSmall.out()).getAsJsonObject().get("top1").getAsDouble(), 1e-12,
                "the compacted model scores what the masked curve scored at rate 0.3");
    }

    @Test
    void aRestrictedTaskUsesOnlyItsClasses(@TempDir Path tmp) throws Exception {
        Path restricted = tmp.resolve("classes3");
        Cli three = prune("--criterion", "l1", "--classes", "3", "--rates", "0,0.5", "--out", restricted.toString());
        assertEquals(0, three.exitCode(), three.err());
        JsonObject rc = curve(restricted);
        assertEquals(3, rc.get("classes").getAsInt());
        assertEquals(30, rc.getAsJsonObject("reference").get("samples").getAsInt());
        assertTrue(rc.getAsJsonArray("accuracy").get(0).getAsDouble() >= dense, "3 of 10 classes is an easier task than 10");
    }

    @Test
    void aTensorDatasetIsEvaluatedAsItIsWithAGivenReference(@TempDir Path tmp) throws Exception {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(1);
        float[] px = new float[64 * 784];
        for (int i = 0; i < px.length; i++) {
            px[i] = (float) rng.nextDouble(-0.5, 2.5);
        }
        float[] labels = new float[64];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 10;
        }
        Path tensors = tmp.resolve("eval.safetensors");
        org.relprune.io.safetensors.SafetensorsWriter.write(tensors, java.util.Map.of(
                "images", new org.relprune.tensor.HostTensor(org.relprune.tensor.Shape.of(64, 1, 28, 28), px),
                "labels", org.relprune.tensor.HostTensor.of(labels, 64)), java.util.Map.of());
        List<String> common = List.of("prune", "--arch", "lenet5", "--weights", weights, "--data", tensors.toString(), "--criterion", "lrp");
        List<String> noRefArgs = new ArrayList<>(common);
        noRefArgs.addAll(List.of("--out", tmp.resolve("t0").toString()));
        Cli noRef = Cli.run(noRefArgs.toArray(String[]::new));
        assertTrue(noRef.exitCode() == 1 && noRef.err().contains("--reference"), noRef.err());
        Path t = tmp.resolve("t");
        List<String> withRef = new ArrayList<>(common);
        withRef.addAll(List.of("--reference", tensors.toString(), "--out", t.toString()));
        Cli tensorRun = Cli.run(withRef.toArray(String[]::new));
        assertEquals(0, tensorRun.exitCode(), tensorRun.err());
        JsonObject tc = curve(t);
        assertEquals("data", tc.get("split").getAsString());
        assertTrue(!tc.has("validation"), "no splits, no validation curve");
        assertEquals(64, tc.getAsJsonObject("reference").get("samples").getAsInt());
        Cli evalAll = Cli.run("eval", "--arch", "lenet5", "--weights", weights, "--data", tensors.toString(), "--split", "all", "--device", "cpu");
        assertEquals(0, evalAll.exitCode(), evalAll.err());
        assertEquals(JsonParser.parseString(evalAll.out()).getAsJsonObject().get("top1").getAsDouble(),
                tc.getAsJsonArray("accuracy").get(0).getAsDouble(), 1e-12, "rate 0 = eval of the whole tensor dataset");
    }

    /** The README's main command: the demo trains, prunes with three criteria and reports; explaining beats random. */
    @Test
    void demoPrunesByExplainingBetterThanRandom(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("demo");
        Cli demo = Cli.run("demo", "--out", out.toString(), "--data", MNIST);
        assertEquals(0, demo.exitCode(), demo.err());
        double lrp = curve(out.resolve("lrp")).get("a_pr").getAsDouble();
        double random = curve(out.resolve("random")).get("a_pr").getAsDouble();
        assertTrue(Files.isRegularFile(out.resolve("l1").resolve("curve.json")));
        assertTrue(Files.isRegularFile(out.resolve("report.html")));
        assertTrue(lrp > random + 0.05, "lrp a_pr " + lrp + " vs random " + random);
        Cli cached = Cli.run("demo", "--out", out.toString(), "--data", MNIST);
        assertEquals(0, cached.exitCode(), cached.err());
        assertTrue(cached.err().contains("using the trained LeNet-5"), "the second run reuses the model: " + cached.err());
    }
}
