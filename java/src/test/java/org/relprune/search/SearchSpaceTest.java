package org.relprune.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.relprune.lrp.composite.Composites;

/** Search-space files: what {@code search --space FILE} accepts, and a one-line error naming the file for the rest. */
class SearchSpaceTest {
    @TempDir
    Path dir;

    @Test
    void readsAFileMissingFieldsTakeTheDefaults() throws Exception {
        Path f = Files.writeString(dir.resolve("space.json"), "{\"rules\": [\"Gamma\"], \"gamma\": [0.01, 0.5]}");
        SearchSpace s = SearchSpace.read(f, true);
        assertEquals(List.of("gamma"), s.rules());
        assertEquals(List.of("cp", "attnlrp"), s.attention());
        assertEquals(0.5, s.gamma()[1]);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        // a number field holding a string leaked Gson's NumberFormatException
        "{\"epsilon\": [\"a\", \"b\"]}                 | field 'epsilon' must hold two numbers [lo, hi], got \"a\"",
        // wrong JSON types leaked Java class names ("class com.google.gson.JsonPrimitive cannot be cast ...")
        "{\"rules\": \"gamma\"}                        | field 'rules' must be an array of strings, got \"gamma\"",
        "{\"groups\": [[\"low\"]]}                     | field 'groups' must hold only strings, got [\"low\"]",
        "{\"signed\": [1]}                             | field 'signed' must hold only true or false, got 1",
        // bounds a trial's composite cannot be built from were accepted: every trial then failed
        "{\"epsilon\": [1e-9, 1e999]}                  | epsilon range must be [lo, hi] with 0 < lo <= hi <= 1000000",
        "{\"alpha\": [1e17, 1e17]}                     | alpha range must be [lo, hi] with 1.0 <= lo <= hi <= 1000",
        // not a JSON object: Gson's exceptions escaped
        "[1, 2]                                        | a search space is a JSON object",
        "{\"rules\": [\"gamma\"                        | not valid JSON: ",
        "''                                            | a search space is a JSON object"})
    void rejectsWithOneLineNamingTheFile(String json, String fragment) throws Exception {
        Path f = Files.writeString(dir.resolve("space.json"), json);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SearchSpace.read(f, false));
        String m = e.getMessage();
        assertFalse(e instanceof NumberFormatException, m);
        assertTrue(m.startsWith(f + ": ") && m.contains(fragment), m);
        assertFalse(m.contains("\n") || m.contains("com.google") || m.contains("LENIENT") || m.contains("https://"), m);
    }

    @Test
    void aFolderOrAMissingFileIsNamedAsSuch() {
        // before: "search: error: Is a directory", the folder unnamed
        IllegalArgumentException folder = assertThrows(IllegalArgumentException.class, () -> SearchSpace.read(dir, false));
        assertEquals("--space " + dir + " is a folder, not a search space file", folder.getMessage());
        java.nio.file.NoSuchFileException missing = assertThrows(java.nio.file.NoSuchFileException.class,
                () -> SearchSpace.read(dir.resolve("nope.json"), false));
        assertEquals(dir.resolve("nope.json").toString(), missing.getFile());
    }

    @Test
    void namesQuotedFromTheFileKeepTheMessageOneLine() throws Exception {
        Path f = Files.writeString(dir.resolve("space.json"), "{\"groups\": [\"lo\\nw\"]}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SearchSpace.read(f, false));
        assertTrue(e.getMessage().contains("unknown layer group 'lo w'"), e.getMessage());
    }

    @Test
    void everyPointOfTheWidestSpaceIsAComposite() throws Exception {
        Path f = Files.writeString(dir.resolve("space.json"), "{\"epsilon\": [1e-300, 1e6], \"gamma\": [1e-300, 1e6], \"alpha\": [1, 1000]}");
        SearchSpace s = SearchSpace.read(f, true);
        SplittableRandom rng = new SplittableRandom(7);
        for (int i = 0; i < 500; i++) {
            Composites.named(s.sample(rng).composite());
        }
    }
}
