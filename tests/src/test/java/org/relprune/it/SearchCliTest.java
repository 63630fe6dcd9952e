package org.relprune.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `relprune search`: killed with SIGKILL mid-search, the same command continues; finished trials stay intact. */
class SearchCliTest {
    private static final String MNIST = Path.of("..", "data", "mnist").toString();

    private static Map<Integer, Double> complete(Path db) throws Exception {
        Map<Integer, Double> done = new LinkedHashMap<>();
        if (!Files.exists(db)) {
            return done;
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            if (!s.executeQuery("SELECT name FROM sqlite_master WHERE name = 'trials'").next()) {
                return done;
            }
            try (ResultSet r = s.executeQuery("SELECT number, objective FROM trials WHERE status = 'COMPLETE' ORDER BY number")) {
                while (r.next()) {
                    done.put(r.getInt(1), r.getDouble(2));
                }
            }
        }
        return done;
    }

    @Test
    void aKilledSearchResumesWithTheNextTrial(@TempDir Path tmp) throws Exception {
        Path model = tmp.resolve("lenet");
        assertEquals(0, Cli.run("train", "--arch", "lenet5", "--data", MNIST, "--epochs", "1", "--out", model.toString()).exitCode());
        Path db = tmp.resolve("study.db");
        List<String> args = List.of("search", "--arch", "lenet5", "--weights", model.resolve("model.safetensors").toString(), "--data", MNIST,
                "--trials", "12", "--study", db.toString(), "--out", tmp.resolve("search").toString(), "--validation-limit", "100", "--lease", "2",
                "--test-limit", "200");
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx2g", "-cp",
                System.getProperty("java.class.path"), "org.relprune.cli.Main"));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(tmp.resolve("first.log").toFile());
        pb.environment().put("GOMP_SPINCOUNT", "0");
        Process first = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (complete(db).isEmpty() && first.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(first.isAlive(), "the first process still runs when killed: " + Files.readString(tmp.resolve("first.log")));
        first.destroyForcibly(); // SIGKILL: no shutdown hooks, the running trial is left RUNNING
        first.waitFor(30, TimeUnit.SECONDS);
        Map<Integer, Double> before = complete(db);
        assertTrue(!before.isEmpty() && before.size() < 12, "killed mid-search: " + before.size() + " trials done");
        Thread.sleep(2500); // the dead process's lease (2 s) runs out

        Cli again = Cli.run(args.toArray(String[]::new));
        assertEquals(0, again.exitCode(), again.err());
        assertTrue(again.err().contains("(" + before.size() + " done)"), again.err());
        Map<Integer, Double> after = complete(db);
        assertEquals(12, after.size(), "the study's total, no trial repeated or lost");
        for (int n = 0; n < 12; n++) {
            assertTrue(after.containsKey(n), "trial " + n);
        }
        before.forEach((n, v) -> assertEquals(v, after.get(n), "finished trial " + n + " untouched"));
        assertTrue(Files.isRegularFile(tmp.resolve("search").resolve("search.json")));
        assertTrue(Files.isRegularFile(tmp.resolve("search").resolve("best").resolve("curve.json")), "the best composite's test curve");
        assertTrue(Files.isRegularFile(tmp.resolve("search").resolve("default").resolve("curve.json")), "the default composite's test curve");
        assertTrue(Files.isRegularFile(tmp.resolve("search").resolve("report.html")));
        assertTrue(Files.readString(tmp.resolve("search").resolve("report.html")).contains("Objective over trials"));
        assertTrue(Files.size(tmp.resolve("search").resolve("trials.png")) > 1000, "the objective-over-trials plot");
        JsonObject summary = JsonParser.parseString(Files.readString(tmp.resolve("search").resolve("search.json"))).getAsJsonObject();
        JsonObject bestCurve = JsonParser.parseString(Files.readString(tmp.resolve("search").resolve("best").resolve("curve.json"))).getAsJsonObject();
        assertEquals(200, bestCurve.get("images").getAsInt(), "--test-limit");
        assertEquals(100, bestCurve.getAsJsonObject("validation").get("images").getAsInt(), "the trials' validation images");
        // the final run of the best composite sees the images its trial saw, so it reproduces the trial's objective
        double bestObjective = after.values().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        assertEquals(bestObjective, summary.get("best_validation_a_pr").getAsDouble(), 0.0);
        assertEquals(bestObjective, bestCurve.getAsJsonObject("validation").get("a_pr").getAsDouble(), 1e-6);
        assertTrue(summary.has("default_validation_a_pr") && summary.has("default_test_a_pr") && summary.has("best_test_a_pr"), summary.toString());
        Cli show = Cli.run("study", "show", db.toString(), "--top", "3");
        assertEquals(0, show.exitCode(), show.err());
        assertTrue(show.out().contains("12 complete, 0 running, 0 failed"), show.out());
        Cli other = Cli.run("search", "--arch", "lenet5", "--weights", model.resolve("model.safetensors").toString(), "--data", MNIST,
                "--trials", "12", "--study", db.toString(), "--out", tmp.resolve("search").toString(), "--validation-limit", "100", "--seed", "3");
        assertTrue(other.exitCode() == 1 && other.err().contains("another seed"), other.err());
    }
}
