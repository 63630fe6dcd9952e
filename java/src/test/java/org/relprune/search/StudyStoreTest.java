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
