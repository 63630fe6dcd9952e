package org.relprune.prune;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.relprune.model.Model;

/** The baseline: seeded uniform random scores (the reference set is not looked at). */
public record RandomCriterion(long seed) implements Criterion {
    @Override
    public String name() {
        return "random";
    }

    @Override
    public List<double[]> score(Model model, List<PrunableLayer> layers, ReferenceSet reference) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<double[]> scores = new ArrayList<>();
        for (PrunableLayer l : layers) {
            double[] s = new double[l.count()];
            for (int i = 0; i < s.length; i++) {
                s[i] = rng.nextDouble();
            }
            scores.add(s);
        }
        return scores;
    }

    @Override
    public JsonObject settings() {
        JsonObject o = new JsonObject();
        o.addProperty("seed", seed);
        return o;
    }
}
