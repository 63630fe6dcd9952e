package org.relprune.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * curve.json and scores.json through {@link CurveResult}: the fixtures were written by the CLI
 * before CurveResult existed (v0.1, hand-built JSON), so reading and writing them back must give
 * the same bytes; a result written and read again is the same result.
 */
class CurveResultTest {
    private static Path fixture(String run) {
        return Path.of("src", "test", "resources", "curve-v0.1", run);
    }

    @ParameterizedTest
    @ValueSource(strings = {"coupled", "l1c5", "egb"})
    void filesWrittenBeforeCurveResultExistedReadAndWriteBackByteForByte(String run, @TempDir Path tmp) throws IOException {
        CurveResult r = CurveResult.read(fixture(run));
        r.write(tmp);
        assertEquals(Files.readString(fixture(run).resolve("curve.json")), Files.readString(tmp.resolve("curve.json")), run + "/curve.json");
        assertEquals(Files.readString(fixture(run).resolve("scores.json")), Files.readString(tmp.resolve("scores.json")), run + "/scores.json");
    }

    @Test
    void theFieldsReadAreTheFilesValues() throws IOException {
        CurveResult r = CurveResult.read(fixture("l1c5"));
        JsonObject o = JsonParser.parseString(Files.readString(fixture("l1c5").resolve("curve.json"))).getAsJsonObject();
        assertEquals("l1", r.method().criterion());
        assertNull(r.method().composite());
        assertEquals(ComponentKind.CHANNELS, r.selection().components());
        assertEquals(o.get("total_components").getAsInt(), r.selection().totalComponents());
        assertTrue(r.selection().normalize());
        assertTrue(!r.selection().globalRanking(), "ranking layer");
        assertNull(r.selection().coupled());
        assertEquals(5, r.evaluation().classes());
        assertEquals(o.get("a_pr").getAsDouble(), r.test().metrics().aPr());
        assertEquals(o.getAsJsonObject("validation").get("images").getAsInt(), r.validation().images());
        // the summary figures recomputed from the curve agree with the file's
        CurveMetrics m = CurveMetrics.of(r.evaluation().rates(), r.test().accuracy());
        assertEquals(m.aPr(), r.test().metrics().aPr(), 1e-15);
        assertEquals(m.auc(), r.test().metrics().auc(), 1e-15);
        assertEquals(22, r.scores().stream().mapToInt(s -> s.scores().length).sum(), "LeNet-5's 6 + 16 channel scores");
        assertEquals(PruningPlan.Reduction.SUM, CurveResult.read(fixture("coupled")).selection().coupled());
        assertEquals("lrp (epsilon_gamma_box)", CurveResult.read(fixture("egb")).label());
    }

    @Test
    void aResultWrittenAndReadIsTheSame(@TempDir Path tmp) throws IOException {
        double[] rates = {0, 0.5};
        JsonObject settings = new JsonObject();
        settings.addProperty("seed", 3);
        JsonObject versions = new JsonObject();
        versions.addProperty("java", "17");
        CurveResult r = new CurveResult(new CurveResult.Method("random", null, settings),
                new CurveResult.Selection(ComponentKind.LINEAR, 84, null, false, true),
                new CurveResult.Evaluation("data", rates, new int[] {0, 42}, null),
                CurveResult.Curve.of(rates, new double[] {0.9, Double.NaN}, 64), null,
                new CurveResult.Reference("ref.safetensors", null, 64, 3),
                new CurveResult.RunProvenance(new CurveResult.Source("lenet5", "lenet5", "/runs/w.safetensors", "d", "cpu", "aa", "bb"), "2026-12-08T00:00:00Z",
                        new CurveResult.Timing(1.5, new PhaseTimes(1, 0.5, 0.25), new PhaseTimes(0.5, Double.NaN, Double.NaN)), "cpu", versions),
                null);
        r.write(tmp);
        assertTrue(!Files.exists(tmp.resolve("scores.json")), "no scores, no scores.json");
        CurveResult back = CurveResult.read(tmp);
        assertEquals(r.toJson(), back.toJson());
        assertArrayEquals(new int[] {0, 42}, back.evaluation().pruned());
        assertTrue(Double.isNaN(back.test().accuracy()[1]), "NaN accuracy survives");
        assertTrue(Double.isNaN(back.test().metrics().topPr()) || back.test().metrics().topPr() == 0.0);
        assertEquals("ref.safetensors", back.reference().file());
        assertNull(back.validation());
        assertNull(back.scores());
    }

    @Test
    void scoresAreCheckedAgainstTheModelsLayers() throws IOException {
        CurveResult r = CurveResult.read(fixture("coupled"));
        List<PrunableLayer> layers = List.of(new PrunableLayer("conv1", "conv1", "conv1.weight", 6));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.scoresFor(layers, fixture("coupled")));
        assertTrue(e.getMessage().contains("scores.json") && e.getMessage().contains("2 layers"), e.getMessage());
    }

    @Test
    void aFileMissingAFieldIsRefusedNamingFileAndField(@TempDir Path tmp) throws IOException {
        JsonObject o = JsonParser.parseString(Files.readString(fixture("coupled").resolve("curve.json"))).getAsJsonObject();
        o.remove("rates");
        Files.writeString(tmp.resolve("curve.json"), o.toString());
        IOException e = assertThrows(IOException.class, () -> CurveResult.read(tmp));
        assertTrue(e.getMessage().contains("curve.json") && e.getMessage().contains("\"rates\""), e.getMessage());
        IOException none = assertThrows(IOException.class, () -> CurveResult.read(tmp.resolve("missing")));
        assertTrue(none.getMessage().contains("curve.json"), none.getMessage());
    }
}
