package org.relprune.prune;

import com.google.gson.JsonObject;
import java.util.List;
import org.relprune.lrp.Attributor;
import org.relprune.lrp.composite.Composites;
import org.relprune.model.Model;

/**
 * First-order Taylor (Molchanov et al.): a channel scores the sum over reference samples of
 * |sum over H, W (tokens, a head's channels) of activation x gradient of the true label's logit|. Computed as LRP-0
 * relevance started from the logit: LRP-0 through every layer (BatchNorm folded, ReLU and max
 * pooling passing, sums and pools in proportion) propagates exactly activation x gradient.
 */
public record TaylorCriterion(int batch) implements Criterion {
    /** LRP-0: an epsilon that only keeps 0 / 0 away. */
    static final String GRADIENT_TIMES_ACTIVATION = "attention=cp,conv=epsilon:1e-12,linear=epsilon:1e-12";

    @Override
    public String name() {
        return "taylor";
    }

    @Override
    public List<double[]> score(Model model, List<PrunableLayer> layers, ReferenceSet reference) {
        return new LrpCriterion(Composites.named(GRADIENT_TIMES_ACTIVATION), false, true, Attributor.Start.LOGIT, batch).score(model, layers, reference);
    }

    @Override
    public JsonObject settings() {
        return new JsonObject();
    }
}
