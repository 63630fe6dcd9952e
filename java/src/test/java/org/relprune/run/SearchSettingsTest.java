package org.relprune.run;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relprune.search.SearchSpace;
import org.relprune.search.StudyStore;

/** Search settings refused before any work, and the --out folders a search may write into. */
class SearchSettingsTest {
    private static SearchSettings.Builder required(Path tmp) {
        return SearchSettings.builder().arch("lenet5").weights(tmp.resolve("w.safetensors")).data(tmp.resolve("data")).trials(3)
                .study(tmp.resolve("s.db")).out(tmp.resolve("out"));
    }

    @Test
    void aLeaseBelowOneSecondIsRefused(@TempDir Path tmp) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> required(tmp).leaseSeconds(0).build());
        assertTrue(e.getMessage().contains("--lease must be at least 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> required(tmp).leaseSeconds(-5).build());
        assertDoesNotThrow(() -> required(tmp).leaseSeconds(1).build());
    }

    private static String study(Path db) throws Exception {
        try (StudyStore s = StudyStore.open(db, 1000)) {
            com.google.gson.JsonObject c = new com.google.gson.JsonObject();
            c.add("space", SearchSpace.defaults(false).toJson());
            s.initialize(c);
            return s.id();
        }
    }

    @Test
    void anotherSearchsResultsAreNotReplacedWithoutForce(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out");
        assertDoesNotThrow(() -> SearchRun.checkOut(required(tmp).build()), "a new folder");
        Files.createDirectories(out);
        Files.writeString(out.resolve("notes.txt"), "mine");
        assertDoesNotThrow(() -> SearchRun.checkOut(required(tmp).build()), "files the search does not write are left alone");

        String id = study(tmp.resolve("s.db"));
        Files.writeString(out.resolve("search.json"), "{\"study\": \"/somewhere/s.db\", \"study_id\": \"" + id + "\"}");
        Files.createDirectories(out.resolve("best"));
        assertDoesNotThrow(() -> SearchRun.checkOut(required(tmp).build()), "a rerun of the same study into the same folder");

        study(tmp.resolve("other.db"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SearchRun.checkOut(required(tmp).study(tmp.resolve("other.db")).build()));
        assertTrue(e.getMessage().contains("holds the results of another search") && e.getMessage().contains("--force"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SearchRun.checkOut(required(tmp).study(tmp.resolve("new.db")).build()));
        assertTrue(e.getMessage().contains("another search"), "a new study's search is another search: " + e.getMessage());
        assertTrue(!Files.exists(tmp.resolve("new.db")), "the check creates no study");
        assertDoesNotThrow(() -> SearchRun.checkOut(required(tmp).study(tmp.resolve("other.db")).force(true).build()));

        // a search.json from before study ids: its study path decides
        Files.writeString(out.resolve("search.json"), "{\"study\": \"" + tmp.resolve("s.db") + "\"}");
        assertDoesNotThrow(() -> SearchRun.checkOut(required(tmp).build()));
        assertThrows(IllegalArgumentException.class, () -> SearchRun.checkOut(required(tmp).study(tmp.resolve("other.db")).build()));

        // results without a search.json (a report.html, a trials.png of something else)
        Files.delete(out.resolve("search.json"));
        e = assertThrows(IllegalArgumentException.class, () -> SearchRun.checkOut(required(tmp).build()));
        assertTrue(e.getMessage().contains("best"), e.getMessage());

        Path file = Files.writeString(tmp.resolve("file"), "x");
        e = assertThrows(IllegalArgumentException.class, () -> SearchRun.checkOut(required(tmp).out(file).force(true).build()));
        assertTrue(e.getMessage().contains("is a file"), e.getMessage());
    }
}
