package org.relprune.search;

import com.google.gson.JsonObject;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The baseline: trial n draws uniformly from the space with a generator seeded by (seed, n), so a
 * trial lost to a dead process is rerun with the same parameters.
 */
public record RandomStrategy(SearchSpace space, long seed) implements StudyStore.Proposer {
    @Override
    public JsonObject propose(int number, List<StudyStore.Trial> finished) {
        return space.sample(new SplittableRandom(seed * 1_000_003L + number)).toJson();
    }
}
