package org.relprune.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relprune.lrp.composite.Composites;

/** The SQLite study store: claiming, finishing, resuming, leases, and the files it refuses. */
class StudyStoreTest {
    private static JsonObject config(long seed) {
        JsonObject c = new JsonObject();
        c.add("space", SearchSpace.defaults(false).toJson());
        c.addProperty("seed", seed);
        return c;
    }

    private static final StudyStore.Proposer PROPOSER = new RandomStrategy(SearchSpace.defaults(false), 0);

    @Test
    void trialsAreClaimedOnceAndResumedAfterReopening(@TempDir Path tmp) throws Exception {
        Path db = tmp.resolve("s.db");
        try (StudyStore s = StudyStore.open(db, 60_000)) {
            s.initialize(config(0));
            StudyStore.Trial a = s.claim(3, "w1", PROPOSER);
            StudyStore.Trial b = s.claim(3, "w1", PROPOSER);
            assertEquals(0, a.number());
            assertEquals(1, b.number());
            s.complete(a, 0.5, "[0.9]", 0.1, 0.2);
            s.complete(b, 0.7, "[0.8]", 0.1, 0.2);
        }
        try (StudyStore s = StudyStore.open(db, 60_000)) {
            s.initialize(config(0));
            StudyStore.Trial c = s.claim(3, "w2", PROPOSER);
            assertEquals(2, c.number(), "the next trial, the finished ones kept");
            assertNull(s.claim(3, "w2", PROPOSER), "--trials is the study's total (one running counts)");
            s.complete(c, 0.6, "[0.7]", 0.1, 0.2);
            List<StudyStore.Trial> all = s.trials();
            assertEquals(List.of(0.5, 0.7, 0.6), all.stream().map(StudyStore.Trial::objective).toList());
            assertEquals(all.get(0).params(), PROPOSER.propose(0, List.of()), "parameters are a function of the trial number");
        }
    }

    @Test
    void aTrialWhoseHeartbeatStoppedIsRunAgain(@TempDir Path tmp) throws Exception {
        Path db = tmp.resolve("s.db");
        try (StudyStore dead = StudyStore.open(db, 50); StudyStore alive = StudyStore.open(db, 50)) {
            dead.initialize(config(0));
            StudyStore.Trial lost = dead.claim(2, "dead", PROPOSER);
            assertEquals(0, lost.number());
            Thread.sleep(120);
            StudyStore.Trial again = alive.claim(2, "alive", PROPOSER);
            assertEquals(0, again.number(), "the lost trial is rerun under its number");
            IOException late = assertThrows(IOException.class, () -> dead.complete(lost, 1.0, "[]", 0, 0));
            assertTrue(late.getMessage().contains("lease"), late.getMessage());
        }
    }

    /** The pid of a process that has exited (and been reaped). */
    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        long pid = p.pid();
        assertTrue(ProcessHandle.of(pid).isEmpty() || !ProcessHandle.of(pid).get().isAlive());
        return pid;
    }

    private static String host() {
        String me = Workers.self();
        return me.substring(me.indexOf('@') + 1);
    }

    @Test
    void aTrialOfADeadProcessOfThisHostIsRunAgainAtOnce(@TempDir Path tmp) throws Exception {
        Path db = tmp.resolve("s.db");
        Process live = new ProcessBuilder("sleep", "60").start();
        try (StudyStore s = StudyStore.open(db, 3_600_000)) {
            s.initialize(config(0));
            StudyStore.Trial elsewhere = s.claim(5, deadPid() + "@another-host.example", PROPOSER);
            StudyStore.Trial running = s.claim(5, live.pid() + "@" + host(), PROPOSER);
            StudyStore.Trial mine = s.claim(5, Workers.self(), PROPOSER);
            StudyStore.Trial lost = s.claim(5, deadPid() + "@" + host(), PROPOSER); // as if written by a process killed since
            assertEquals(List.of(0, 1, 2, 3), List.of(elsewhere.number(), running.number(), mine.number(), lost.number()));
            // the lease (an hour) has not run out: only the dead local worker's trial is taken back
            StudyStore.Trial again = s.claim(5, Workers.self(), PROPOSER);
            assertEquals(3, again.number(), "the dead process's trial is rerun under its number, at once");
            assertEquals(lost.params(), again.params());
            StudyStore.Trial next = s.claim(5, Workers.self(), PROPOSER);
            assertEquals(4, next.number(), "trials of a live process, of another host and of this process stay theirs");
            assertNull(s.claim(5, Workers.self(), PROPOSER));
            assertThrows(IOException.class, () -> s.complete(lost, 1.0, "[]", 0, 0), "the dead claim cannot finish the rerun");
        } finally {
            live.destroyForcibly();
        }
        assertTrue(Workers.deadHere(deadPid() + "@" + host(), java.time.Instant.now().toString()));
        assertTrue(!Workers.deadHere("not-a-pid@" + host(), null) && !Workers.deadHere(null, null) && !Workers.deadHere("12", null));
        // a pid reused by a process that started after the trial was claimed: the worker is gone
        assertTrue(Workers.deadHere(ProcessHandle.current().parent().map(ProcessHandle::pid).orElseThrow() + "@" + host(),
                "2000-01-01T00:00:00Z"));
    }

    @Test
    void aStoppedProcessGivesItsRunningTrialBack(@TempDir Path tmp) throws Exception {
        Path db = tmp.resolve("s.db");
        List<String> said = new java.util.ArrayList<>();
        try (StudyStore s = StudyStore.open(db, 3_600_000)) {
            s.initialize(config(0));
            StudyStore.Trial done = s.claim(3, Workers.self(), PROPOSER);
            s.complete(done, 0.5, "[]", 0, 0);
            StudyStore.Trial t = s.claim(3, Workers.self(), PROPOSER);
            try (ClaimGuard guard = ClaimGuard.manual(db, said::add)) {
                assertTrue(guard.hold(t));
                assertEquals(t, guard.releaseNow(), "what the shutdown hook runs");
                StudyStore.Trial late = s.claim(3, Workers.self(), PROPOSER);
                assertEquals(t.number(), late.number(), "the released trial is claimed again at once, under its number");
                assertTrue(!guard.hold(late), "a stopped guard holds no more claims: the claimer releases them");
                assertTrue(s.release(late));
                assertNull(guard.releaseNow());
            }
            assertThrows(IOException.class, () -> s.complete(t, 1.0, "[]", 0, 0), "its partial work is discarded");
            List<StudyStore.Trial> all = s.trials();
            assertEquals(List.of("COMPLETE"), all.stream().map(StudyStore.Trial::status).toList(), "only the finished trial is left");
            assertTrue(!s.release(done), "a finished trial is never released");
        }
        assertTrue(said.get(0).contains("trial 1 given back"), said.toString());
    }

    @Test
    void showingAStudyReadsWithoutWriting(@TempDir Path tmp) throws Exception {
        Path empty = Files.createFile(tmp.resolve("empty.db"));
        IOException e = assertThrows(IOException.class, () -> StudyStore.openReadOnly(empty));
        assertTrue(e.getMessage().contains("empty file"), e.getMessage());
        assertEquals(0, Files.size(empty), "the empty file is not made a database");

        Path foreign = tmp.resolve("foreign.db");
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + foreign); var st = c.createStatement()) {
            st.execute("CREATE TABLE customers (id INTEGER)");
        }
        byte[] before = Files.readAllBytes(foreign);
        e = assertThrows(IOException.class, () -> StudyStore.openReadOnly(foreign));
        assertTrue(e.getMessage().contains("not a relprune study"), e.getMessage());
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(foreign)), "the foreign database is untouched");

        Path text = Files.writeString(tmp.resolve("notes.db"), "just text\n");
        e = assertThrows(IOException.class, () -> StudyStore.openReadOnly(text));
        assertTrue(e.getMessage().contains("not a SQLite database"), e.getMessage());
        assertThrows(java.nio.file.NoSuchFileException.class, () -> StudyStore.openReadOnly(tmp.resolve("missing.db")));
        assertTrue(!Files.exists(tmp.resolve("missing.db")));
        e = assertThrows(IOException.class, () -> StudyStore.openReadOnly(tmp));
        assertTrue(e.getMessage().contains("not a study file"), e.getMessage());

        Path dir = Files.createDirectory(tmp.resolve("ro"));
        Path db = dir.resolve("s.db");
        try (StudyStore s = StudyStore.open(db, 1000)) {
            s.initialize(config(0));
            s.complete(s.claim(2, "w", PROPOSER), 0.5, "[]", 0, 0);
        }
        List<String> files;
        try (var l = Files.list(dir)) {
            files = l.map(p -> p.getFileName().toString()).sorted().toList();
        }
        byte[] study = Files.readAllBytes(db);
        try (StudyStore s = StudyStore.openReadOnly(db)) {
            assertEquals(1, s.trials().size());
            assertEquals(0, s.config().get("seed").getAsInt());
            assertThrows(IOException.class, () -> s.claim(2, "w", PROPOSER), "read-only");
        }
        try (var l = Files.list(dir)) {
            assertEquals(files, l.map(p -> p.getFileName().toString()).sorted().toList(), "no file made beside the study");
        }
        assertTrue(java.util.Arrays.equals(study, Files.readAllBytes(db)), "the study is untouched");
        // a read-only folder (its -wal present) cannot be made as root, who writes anyway: docs/search.md shows the check as another user
    }

    @Test
    void configsAreComparedByContent() {
        com.google.gson.JsonObject a = com.google.gson.JsonParser.parseString("{\"arch\": {\"family\": \"lenet5\", \"num_classes\": 10}, "
                + "\"weights_sha256\": \"aa\", \"seed\": 0, \"paths\": {\"weights\": \"/x/w.safetensors\"}}").getAsJsonObject();
        com.google.gson.JsonObject reordered = com.google.gson.JsonParser.parseString("{\"seed\": 0.0, \"arch\": {\"num_classes\": 10, "
                + "\"family\": \"lenet5\"}, \"weights_sha256\": \"aa\", \"paths\": {\"weights\": \"/elsewhere/copy.safetensors\"}}").getAsJsonObject();
        assertNull(StudyStore.difference(a, reordered), "key order, number spelling and paths do not matter");
        com.google.gson.JsonObject replaced = reordered.deepCopy();
        replaced.addProperty("weights_sha256", "bb");
        String d = StudyStore.difference(a, replaced);
        assertTrue(d.contains("other weights") && d.contains("aa at /x/w.safetensors") && d.contains("now bb at /elsewhere/copy.safetensors"), d);
        com.google.gson.JsonObject legacy = com.google.gson.JsonParser.parseString("{\"arch\": \"lenet5\", \"weights\": \"w.safetensors\", "
                + "\"seed\": 0}").getAsJsonObject();
        d = StudyStore.difference(legacy, a);
        assertTrue(d != null && d.contains("no hash of its weights (an older relprune"), "a study from before content identity is refused: " + d);
    }

    @Test
    void foreignCorruptAndMismatchedStudiesAreRefused(@TempDir Path tmp) throws Exception {
        Path text = tmp.resolve("notes.db");
        Files.writeString(text, "this is not a database at all, just text\n");
        IOException e = assertThrows(IOException.class, () -> StudyStore.open(text, 1000));
        assertTrue(e.getMessage().contains("not a SQLite database"), e.getMessage());

        Path foreign = tmp.resolve("foreign.db");
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + foreign); var st = c.createStatement()) {
            st.execute("CREATE TABLE customers (id INTEGER)");
        }
        e = assertThrows(IOException.class, () -> StudyStore.open(foreign, 1000));
        assertTrue(e.getMessage().contains("not a relprune study"), e.getMessage());

        Path db = tmp.resolve("s.db");
        try (StudyStore s = StudyStore.open(db, 1000)) {
            s.initialize(config(0));
        }
        try (StudyStore s = StudyStore.open(db, 1000)) {
            JsonObject other = config(0);
            other.add("space", new SearchSpace(List.of("low"), List.of("epsilon"), List.of(), List.of(false), new double[] {1e-9, 1},
                    new double[] {1e-4, 10}, new double[] {1, 4}).toJson());
            e = assertThrows(IOException.class, () -> s.initialize(other));
            assertTrue(e.getMessage().contains("another space"), e.getMessage());
        }
    }

    @Test
    void spacesAreValidatedAndEveryPointIsAComposite() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SearchSpace(List.of("low"), List.of(), List.of(),
                List.of(false), new double[] {1e-9, 1}, new double[] {1e-4, 10}, new double[] {1, 4}));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SearchSpace.parse(com.google.gson.JsonParser.parseString(
                "{\"rules\": [\"gamma\", \"magic\"]}").getAsJsonObject(), false));
        assertTrue(e.getMessage().contains("'magic'"), e.getMessage());
        SplittableRandom rng = new SplittableRandom(1);
        for (boolean vit : new boolean[] {false, true}) {
            SearchSpace sp = SearchSpace.defaults(vit);
            for (int i = 0; i < 200; i++) {
                SearchSpace.Point p = sp.sample(rng);
                assertEquals(p, SearchSpace.Point.fromJson(p.toJson()), "round trip through JSON");
                Composites.named(p.composite()); // parses
                for (SearchSpace.Choice c : p.groups().values()) {
                    switch (c.rule()) {
                        case "epsilon" -> assertTrue(c.value() >= 1e-9 && c.value() <= 1);
                        case "gamma" -> assertTrue(c.value() >= 1e-4 && c.value() <= 10);
                        case "alphabeta" -> assertTrue(c.value() >= 1 && c.value() <= 4);
                        default -> assertEquals("zplus", c.rule());
                    }
                }
                assertEquals(vit, p.attention() != null);
            }
        }
        SearchSpace two = new SearchSpace(List.of("low", "fc"), List.of("gamma"), List.of(), List.of(true), new double[] {1e-9, 1},
                new double[] {0.5, 0.5}, new double[] {1, 4});
        assertEquals("conv=zplus,linear=epsilon:1e-6,low=gamma:0.5,fc=gamma:0.5", two.sample(rng).composite());
    }
}
