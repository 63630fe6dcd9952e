package org.relprune.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Timeout;
import org.relprune.lrp.composite.Composites;
import org.relprune.search.SearchSpace;

/**
 * Search-space files ({@code search --space FILE}): the input is the file, read by
 * {@link SearchSpace#read} for CNNs and for ViTs. A rejection is a one-line error naming the file;
 * an accepted space must only ever propose composites that parse, since every trial builds one.
 */
class SearchSpaceFuzzTest {
    private static final Path DIR = Contract.scratch("space");

    @FuzzTest(maxDuration = FuzzSettings.CI_DURATION)
    @Timeout(FuzzSettings.TIMEOUT_SECONDS)
    void read(byte[] data) throws IOException {
        Path file = Files.write(DIR.resolve("space.json"), data);
        for (boolean transformer : new boolean[] {false, true}) {
            SearchSpace space;
            try {
                space = SearchSpace.read(file, transformer);
            } catch (IOException | IllegalArgumentException e) {
                Contract.rejected(e);
                continue;
            }
            SplittableRandom rng = new SplittableRandom(data.length);
            for (int i = 0; i < 4; i++) {
                Composites.named(space.sample(rng).composite());
            }
        }
    }
}
