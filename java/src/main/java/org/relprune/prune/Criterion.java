package org.relprune.prune;

import java.util.List;
import org.relprune.model.Model;

/**
 * Scores the components of each prunable layer: higher is more important, the lowest are pruned
 * first. One implementation per criterion ({@code lrp}, {@code random}, {@code l1}, {@code l2}).
 */
public interface Criterion {
    /** The name written to curve.json ({@code lrp}, {@code l1}, ...). */
    String name();

    /** Scores per layer, in the order of {@code layers}, one per component. */
    List<double[]> score(Model model, List<PrunableLayer> layers, ReferenceSet reference);

    /** The settings that decide the scores, for the provenance (composite, seed, ...). */
    com.google.gson.JsonObject settings();
}
