package org.relprune.run;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.relprune.backend.Backend;
import org.relprune.io.ContentHash;
import org.relprune.io.WeightFiles;
import org.relprune.io.data.Datasets;
import org.relprune.lrp.Attributor;
import org.relprune.lrp.composite.Composites;
import org.relprune.model.Graph;
import org.relprune.model.Model;
import org.relprune.model.layers.AttentionCore;
import org.relprune.model.layers.Conv2d;
import org.relprune.model.zoo.ModelZoo;
import org.relprune.prune.ActivationCriterion;
import org.relprune.prune.ComponentKind;
import org.relprune.prune.Criterion;
import org.relprune.prune.CurveResult;
import org.relprune.prune.IntegratedGradientsCriterion;
import org.relprune.prune.LrpCriterion;
import org.relprune.prune.PlanRecipe;
import org.relprune.prune.PruningJob;
import org.relprune.prune.PruningPlan;
import org.relprune.prune.RandomCriterion;
import org.relprune.prune.Rates;
import org.relprune.prune.TaylorCriterion;
import org.relprune.prune.WeightNormCriterion;
import org.relprune.report.CurvePlot;

/**
 * One pruning curve as a library call: score the components of a trained model with a criterion
 * on a reference set, mask the lowest-scored at each rate, evaluate every rate on the validation
 * and test splits, and write DIR/curve.json, DIR/scores.json and DIR/curve.png.
 */
public final class PruneRun {
    private PruneRun() {
    }

    /** Runs the settings; the result is also written to {@code s.out()}. */
    public static CurveResult run(PruneSettings s, RunMonitor monitor) throws Exception {
        OutputLocation.folder(s.out(), "--out", s.force(), CurveResult.CURVE);
        Rates r = s.rates() == null ? Rates.standard() : Rates.parse(s.rates());
        if (r.values().get(0).signum() != 0) {
            throw new IllegalArgumentException("--rates must start at 0 (the unpruned accuracy that top_pr refers to)");
        }
        Graph graph = ModelZoo.resolve(s.arch());
        boolean vit = isTransformer(graph);
        ComponentKind kind = s.components() != null ? ComponentKind.parse(s.components())
                : vit ? ComponentKind.NEURONS
                : graph.nodes().stream().anyMatch(n -> n.layer() instanceof Conv2d) ? ComponentKind.CHANNELS : ComponentKind.LINEAR;
        String composite = s.composite() != null ? s.composite() : defaultComposite(graph);
        Criterion c = criterion(s, composite);
        // the LRP pass keeps a reference batch's activations and up to two companions of each (u, a rule's stacked inputs)
        MemoryEstimate.inference(graph, 3 * s.referenceBatch(), "pruning").check();
        String weightsHash = ContentHash.file(s.weights());
        String dataHash = Datasets.fingerprint(s.data());
        PruningData data = PruningData.prepare(graph, s);
        PruningPlan.Reduction reduction = reduction(s.reduction());
        PlanRecipe recipe = new PlanRecipe(kind, s.ranking().equals("global"), s.normalize(), s.coupled() ? reduction : null);
        PruningJob job = new PruningJob(c, recipe, r, data.classes(), s.batch());
        monitor.say(String.format("prune %s with %s: %d reference images, %s%d %s images, %d rates", graph.name(), c.name(), data.reference().size(),
                data.validation() == null ? "" : data.validation().size() + " validation / ", data.test().size(),
                data.tensorData() ? "evaluation" : "test", r.size()));
        PruningJob.Result res;
        long started = System.nanoTime();
        String backendDescription;
        try (Backend backend = Backends.open(s.device(), new java.io.PrintStream(System.err, true));
             Model model = Model.load(graph, WeightFiles.read(s.weights()), backend)) {
            backendDescription = backend.description();
            res = job.run(model, data.reference(), data.validation(), data.test(), monitor);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        double[] rd = r.asDoubles();
        int[] pruned = new int[r.size()];
        for (int k = 0; k < pruned.length; k++) {
            pruned[k] = res.plan().pruned(k);
        }
        List<CurveResult.LayerScores> scores = new ArrayList<>();
        for (int l = 0; l < res.layers().size(); l++) {
            scores.add(new CurveResult.LayerScores(res.layers().get(l).layer(), res.scores().get(l)));
        }
        CurveResult result = new CurveResult(
                new CurveResult.Method(c.name(), c instanceof LrpCriterion ? composite : null, c.settings()),
                new CurveResult.Selection(kind, recipe.total(res.plan(), res.layers()), recipe.coupled(), s.normalize(), recipe.globalRanking()),
                new CurveResult.Evaluation(data.tensorData() ? "data" : "test", rd, pruned, s.classes()),
                CurveResult.Curve.of(rd, res.test(), data.test().size()),
                res.validation() == null ? null : CurveResult.Curve.of(rd, res.validation(), data.validation().size()),
                new CurveResult.Reference(s.reference() == null ? null : s.reference().toString(), s.reference() == null ? s.effectivePerClass() : null,
                        data.reference().size(), s.seed()),
                new CurveResult.RunProvenance(new CurveResult.Source(s.arch(), graph.name(), s.weights().toAbsolutePath().normalize().toString(),
                        data.raw().source(), s.device(), weightsHash, dataHash),
                        Instant.now().toString(), new CurveResult.Timing(seconds, res.scoring(), res.evaluation()), backendDescription,
                        Provenance.versions()),
                List.copyOf(scores));
        result.write(s.out());
        CurvePlot.write(s.out().resolve("curve.png"), graph.name() + ": " + result.label(),
                List.of(new CurvePlot.Series(result.label() + String.format(" (a_pr %.3f)", result.test().metrics().aPr()), rd, res.test())));
        return result;
    }

    static boolean isTransformer(Graph graph) {
        return graph.nodes().stream().anyMatch(n -> n.layer() instanceof AttentionCore);
    }

    /** The default composites: epsilon_plus for CNNs (the paper), cp_epsilon for ViTs. */
    public static String defaultComposite(Graph graph) {
        return isTransformer(graph) ? "cp_epsilon" : "epsilon_plus";
    }

    private static Criterion criterion(PruneSettings s, String composite) {
        return switch (s.criterion()) {
            case "lrp" -> new LrpCriterion(Composites.named(composite), s.signed(), false, startRelevance(s.start()), s.referenceBatch());
            case "taylor" -> new TaylorCriterion(s.referenceBatch());
            case "random" -> new RandomCriterion(s.seed());
            case "l1" -> new WeightNormCriterion(1);
            case "l2" -> new WeightNormCriterion(2);
            case "activation" -> new ActivationCriterion(64);
            case "ig" -> new IntegratedGradientsCriterion(20, s.referenceBatch());
            default -> throw new IllegalArgumentException("unknown --criterion '" + s.criterion() + "' (use lrp, random, l1, l2, activation, taylor or ig)");
        };
    }

    private static PruningPlan.Reduction reduction(String s) {
        return switch (s) {
            case "sum" -> PruningPlan.Reduction.SUM;
            case "mean" -> PruningPlan.Reduction.MEAN;
            case "max" -> PruningPlan.Reduction.MAX;
            default -> throw new IllegalArgumentException("--reduction must be sum, mean or max, not '" + s + "'");
        };
    }

    private static Attributor.Start startRelevance(String s) {
        return switch (s) {
            case "onehot" -> Attributor.Start.ONE_HOT;
            case "logit" -> Attributor.Start.LOGIT;
            default -> throw new IllegalArgumentException("--start must be onehot or logit, not '" + s + "'");
        };
    }
}
