package org.relprune.prune;

import java.util.List;
import java.util.function.IntConsumer;
import org.relprune.io.data.ImageDataset;
import org.relprune.model.Model;

/**
 * One pruning curve: score the components on the reference set, rank them, and evaluate every
 * rate on the validation split (what a search optimizes) and the test split (the figures that
 * are reported; the pruning never saw it).
 *
 * @param recipe   how the scores become the plan
 * @param classes  a restricted task (only these classes' logits compete), or null for all
 * @param maxBatch samples per forward pass of the curve evaluation (see {@link CurveEvaluator#accuracy})
 */
public record PruningJob(Criterion criterion, PlanRecipe recipe, Rates rates, int[] classes, int maxBatch) {

    /** The scores, the plan and the two curves. */
    public record Result(List<PrunableLayer> layers, List<double[]> scores, PruningPlan plan, double[] validation, double[] test,
                         PhaseTimes scoring, PhaseTimes evaluation) {
        public double scoringSeconds() {
            return scoring.wallSeconds();
        }

        public double evaluationSeconds() {
            return evaluation.wallSeconds();
        }
    }

    /** Receives progress: phase name and images done (of the given total). */
    public interface Listener {
        IntConsumer phase(String name, int total);
    }

    /** {@code validation} may be null (a given evaluation set has no splits): then only {@code test} is evaluated. */
    public Result run(Model model, ReferenceSet reference, ImageDataset validation, ImageDataset test, Listener listener) {
        List<PrunableLayer> layers = recipe.layers(model.graph());
        PhaseTimes.Mark t0 = PhaseTimes.mark();
        List<double[]> scores = criterion.score(model, layers, reference);
        PhaseTimes scoring = PhaseTimes.since(t0);
        PhaseTimes.Mark t1 = PhaseTimes.mark();
        PruningPlan plan = recipe.plan(model.graph(), layers, scores, rates);
        double[] val = validation == null ? null
                : CurveEvaluator.accuracy(model, plan, validation, classes, maxBatch, listener.phase("validation curve", validation.size()));
        double[] tst = CurveEvaluator.accuracy(model, plan, test, classes, maxBatch, listener.phase("test curve", test.size()));
        return new Result(layers, scores, plan, val, tst, scoring, PhaseTimes.since(t1));
    }
}
