package org.relprune.prune;

import java.util.List;
import org.relprune.model.Graph;

/**
 * How scores become a pruning plan: the components scored, a global or per-layer ranking, scores
 * divided by their layer's L1 norm or not, and for coupled channel groups how a group's scores
 * combine ({@code coupled} null: every component on its own). The one place a plan is built from
 * scores, so a pruning run, a search trial and a compaction from saved scores agree.
 */
public record PlanRecipe(ComponentKind components, boolean globalRanking, boolean normalizePerLayer, PruningPlan.Reduction coupled) {
    public PlanRecipe {
        java.util.Objects.requireNonNull(components, "components");
        if (coupled != null && components != ComponentKind.CHANNELS) {
            throw new IllegalArgumentException("coupled grouping is built for conv channels only, not " + components.option());
        }
    }

    /** Independent components ranked globally, scores as they are (what a search trial uses). */
    public static PlanRecipe independent(ComponentKind components) {
        return new PlanRecipe(components, true, false, null);
    }

    /** The prunable layers of a graph for these components, in model order. */
    public List<PrunableLayer> layers(Graph graph) {
        return Components.of(graph, components);
    }

    public PruningPlan plan(Graph graph, List<PrunableLayer> layers, List<double[]> scores, Rates rates) {
        if (coupled == null) {
            return PruningPlan.build(layers, scores, rates, globalRanking, normalizePerLayer);
        }
        return PruningPlan.coupled(layers, scores, ChannelSpaces.of(graph).groups(layers), coupled, rates, globalRanking, normalizePerLayer);
    }

    /** Components a rate counts: the group channels when coupled, else every component of the layers. */
    public int total(PruningPlan plan, List<PrunableLayer> layers) {
        return coupled != null ? plan.total() : Components.total(layers);
    }
}
