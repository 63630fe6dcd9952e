package org.relprune.search;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.relprune.io.data.ImageDataset;
import org.relprune.lrp.Attributor;
import org.relprune.lrp.composite.Composites;
import org.relprune.model.Model;
import org.relprune.prune.CurveEvaluator;
import org.relprune.prune.CurveMetrics;
import org.relprune.prune.LrpCriterion;
import org.relprune.prune.PlanRecipe;
import org.relprune.prune.PrunableLayer;
import org.relprune.prune.PruningPlan;
import org.relprune.prune.Rates;
import org.relprune.prune.ReferenceSet;
import org.relprune.tensor.TensorScope;

/**
 * The search objective: a_pr of the pruning curve on the validation images for a point of the
 * space. The reference set's forward passes run once, when the objective is made: every trial
 * reuses them (only the LRP backward and the curve evaluation run per trial). Close it to free
 * the cached activations.
 */
public final class TrialObjective implements AutoCloseable {
    private final Model model;
    private final PlanRecipe recipe;
    private final List<PrunableLayer> layers;
    private final ImageDataset validation;
    private final Rates rates;
    private final int maxBatch;
    private final List<Attributor> chunks = new ArrayList<>();
    private final List<int[]> targets = new ArrayList<>();
    private final TensorScope inputs;
    private final double forwardSeconds;

    /** One trial's outcome: the validation curve, its a_pr, and where the time went. */
    public record Outcome(double aPr, double[] accuracy, double lrpSeconds, double curveSeconds) {
    }

    public TrialObjective(Model model, PlanRecipe recipe, ReferenceSet reference, ImageDataset validation, Rates rates, int chunk, int maxBatch) {
        this.model = model;
        this.recipe = recipe;
        this.layers = recipe.layers(model.graph());
        this.validation = validation;
        this.rates = rates;
        this.maxBatch = maxBatch;
        this.inputs = TensorScope.open();
        long t0 = System.nanoTime();
        try {
            for (int from = 0; from < reference.size(); from += chunk) {
                int to = Math.min(reference.size(), from + chunk);
                chunks.add(new Attributor(model, model.backend().upload(reference.slice(from, to))));
                targets.add(Arrays.copyOfRange(reference.labels(), from, to));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        this.forwardSeconds = (System.nanoTime() - t0) / 1e9;
    }

    /** Seconds the reference set's forward passes took (once, when the objective was made). */
    public double forwardSeconds() {
        return forwardSeconds;
    }

    public Outcome evaluate(SearchSpace.Point p) {
        long t0 = System.nanoTime();
        LrpCriterion criterion = new LrpCriterion(Composites.named(p.composite()), p.signed(), false, Attributor.Start.ONE_HOT, Integer.MAX_VALUE);
        List<double[]> scores = criterion.score(layers, chunks, targets);
        long t1 = System.nanoTime();
        PruningPlan plan = recipe.plan(model.graph(), layers, scores, rates);
        double[] acc = CurveEvaluator.accuracy(model, plan, validation, null, maxBatch, null);
        long t2 = System.nanoTime();
        return new Outcome(CurveMetrics.of(rates.asDoubles(), acc).aPr(), acc, (t1 - t0) / 1e9, (t2 - t1) / 1e9);
    }

    /** How many forward passes the cached reference chunks ran (one each, whatever the trials). */
    public int forwardPasses() {
        return chunks.stream().mapToInt(Attributor::forwardPasses).sum();
    }

    @Override
    public void close() {
        chunks.forEach(Attributor::close);
        inputs.close();
    }
}
