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

/**
 * `relprune search`: stopped (SIGTERM) or killed (SIGKILL) mid-search, the same command continues
 * at once; finished trials stay intact. A study is identified by content; what it refuses, and
 * the exit code of an unfinished one.
 */
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

    private static int running(Path db) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT count(*) FROM trials WHERE status = 'RUNNING'")) {
            return r.next() ? r.getInt(1) : 0;
        }
    }

    /** Starts the search in a JVM of its own and stops it once more than {@code after} trials are complete, by SIGTERM or SIGKILL. */
    private static Process startAndStop(List<String> args, Path db, Path log, int after, boolean kill) throws Exception {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx2g", "-cp",
                System.getProperty("java.class.path"), "org.relprune.cli.Main"));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("GOMP_SPINCOUNT", "0");
        Process p = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (complete(db).size() <= after && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(p.isAlive(), "the process still runs when stopped: " + Files.readString(log));
        if (kill) {
            p.destroyForcibly(); // SIGKILL: no shutdown hooks, the running trial is left RUNNING
        } else {
            p.destroy(); // SIGTERM, as Ctrl-C's SIGINT: the JVM runs its shutdown hooks
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "stopped");
        return p;
    }

    @Test
    void aStoppedOrKilledSearchResumesAtOnceWithTheNextTrial(@TempDir Path tmp) throws Exception {
        Path model = tmp.resolve("lenet");
        assertEquals(0, Cli.run("train", "--arch", "lenet5", "--data", MNIST, "--epochs", "1", "--out", model.toString()).exitCode());
        Path db = tmp.resolve("study.db");
        // the default lease (120 s) never runs out in this test: what is taken back is taken back at once
        List<String> args = List.of("search", "--arch", "lenet5", "--weights", model.resolve("model.safetensors").toString(), "--data", MNIST,
                "--trials", "12", "--study", db.toString(), "--out", tmp.resolve("search").toString(), "--validation-limit", "100",
                "--test-limit", "200");
        Process first = startAndStop(args, db, tmp.resolve("first.log"), 0, false);
        assertEquals(143, first.exitValue(), "128 + SIGTERM");
        int stopped = complete(db).size();
        assertTrue(stopped >= 1 && stopped < 12, "stopped mid-search: " + stopped + " trials done");
        assertEquals(0, running(db), "the shutdown hook gave the running trial back: " + Files.readString(tmp.resolve("first.log")));

        startAndStop(args, db, tmp.resolve("second.log"), stopped, true);
        Map<Integer, Double> before = complete(db);
        assertTrue(before.size() > stopped && before.size() < 12, "killed mid-search: " + before.size() + " trials done");

        Cli again = Cli.run(args.toArray(String[]::new)); // at once: the killed process's trial is taken back as its process is gone
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

    private static void randomLenet(Path file, long seed) throws Exception {
        org.relprune.io.safetensors.SafetensorsWriter.write(file,
                org.relprune.model.RandomWeights.generate(org.relprune.model.zoo.ModelZoo.resolve("lenet5"), seed), Map.of());
    }

    @Test
    void aStudyIsIdentifiedByContentAndRefusesWhatItCannotDo(@TempDir Path tmp) throws Exception {
        Path weights = tmp.resolve("w.safetensors");
        randomLenet(weights, 1);
        Path db = tmp.resolve("s.db");
        Path out = tmp.resolve("out");
        List<String> common = List.of("--data", MNIST, "--validation-limit", "50", "--test-limit", "50", "--reference-per-class", "2",
                "--strategy", "random", "--out", out.toString());
        java.util.function.BiFunction<List<String>, List<String>, Cli> search = (own, more) -> {
            List<String> a = new ArrayList<>(List.of("search"));
            a.addAll(own);
            a.addAll(common);
            a.addAll(more);
            return Cli.run(a.toArray(String[]::new));
        };
        List<String> lenet = List.of("--arch", "lenet5", "--weights", weights.toString(), "--study", db.toString());

        Cli zero = search.apply(lenet, List.of("--trials", "1", "--lease", "0"));
        assertTrue(zero.exitCode() != 0 && zero.err().contains("--lease must be at least 1"), zero.err());
        assertTrue(!Files.exists(db), "refused before any work");

        Cli first = search.apply(lenet, List.of("--trials", "1"));
        assertEquals(0, first.exitCode(), first.err());
        // the same model by another spelling of the architecture and another path to the same file: the same study, and its own --out
        Path relative = Path.of("").toAbsolutePath().relativize(weights);
        Cli same = search.apply(List.of("--arch", "{\"preset\": \"lenet5\"}", "--weights", relative.toString(), "--study", db.toString()),
                List.of("--trials", "1"));
        assertEquals(0, same.exitCode(), same.err());
        assertTrue(same.err().contains("(1 done)"), same.err());

        // another study into the same --out: refused before its study is made
        Cli other = search.apply(List.of("--arch", "lenet5", "--weights", weights.toString(), "--study", tmp.resolve("other.db").toString()),
                List.of("--trials", "1"));
        assertTrue(other.exitCode() == 1 && other.err().contains("holds the results of another search") && other.err().contains("--force"), other.err());
        assertTrue(!Files.exists(tmp.resolve("other.db")));

        // a trial running in a live process elsewhere: the study is unfinished, exit 3, naming the trial, its worker and its lease
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO trials (number, status, params, worker, token, started, heartbeat) SELECT 1, 'RUNNING', params, "
                    + "'4242@another-host.example', 'their-token', '" + java.time.Instant.now() + "', " + System.currentTimeMillis()
                    + " FROM trials WHERE number = 0");
        }
        Cli unfinished = search.apply(lenet, List.of("--trials", "2"));
        assertEquals(3, unfinished.exitCode(), unfinished.err());
        assertTrue(unfinished.err().contains("1 of 2 trials done; trial 1 is running in 4242@another-host.example, whose lease runs out in 1"),
                unfinished.err());

        // other weights at the same path: refused, naming the weights and both hashes
        String before = org.relprune.io.ContentHash.file(weights);
        randomLenet(weights, 2);
        Cli replaced = search.apply(lenet, List.of("--trials", "2"));
        assertTrue(replaced.exitCode() == 1 && replaced.err().contains("made with other weights (sha256 " + before), replaced.err());
        assertTrue(replaced.err().contains("now " + org.relprune.io.ContentHash.file(weights)), replaced.err());

        // study show: an empty file is not made a database
        Path empty = Files.createFile(tmp.resolve("typo.db"));
        Cli show = Cli.run("study", "show", empty.toString());
        assertTrue(show.exitCode() == 1 && show.err().contains("an empty file, not a relprune study"), show.err());
        assertEquals(0, Files.size(empty));
        Cli shown = Cli.run("study", "show", db.toString());
        assertEquals(0, shown.exitCode(), shown.err());
        assertTrue(shown.out().contains("1 complete, 1 running, 0 failed"), shown.out());
    }
}
