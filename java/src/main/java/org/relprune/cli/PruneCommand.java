package org.relprune.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.relprune.prune.CurveResult;
import org.relprune.run.PruneRun;
import org.relprune.run.PruneSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Prunes a trained model at every rate of a curve and writes DIR/curve.json and DIR/curve.png. */
@Command(name = "prune", mixinStandardHelpOptions = true,
        description = {"Score the components of a model with a criterion on a reference set (n images per class from the "
                + "training split), mask the lowest-scored at each rate (nested masks, global ranking) and evaluate every rate "
                + "in batched passes on the validation and test splits of the model's sidecar.",
                "Writes DIR/curve.json (rates, accuracy as fractions on the test split, a_pr, auc, top_pr, the validation "
                        + "curve, criterion, settings, provenance), DIR/scores.json and DIR/curve.png (--out DIR).",
                "--device: cpu (the default; pruning runs on the CPU backend today). --batch: images per forward pass of the curve "
                        + "evaluation (each rate runs at its pruned width, one rate per pass; default: automatic, as many as keep every "
                        + "activation within 48 MiB, at most 1024). --force replaces an existing DIR/curve.json."})
final class PruneCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin CommonOptions.TrainedModel model;
    @Mixin CommonOptions.Data data;
    @Mixin CommonOptions.Device device;
    @Mixin CommonOptions.Batch batch;
    @Mixin CommonOptions.Out out;
    @Mixin CommonOptions.Force force;
    @Mixin CommonOptions.Seed seed;

    @Option(names = "--criterion", required = true, paramLabel = "C", description = "lrp, random, l1, l2, activation, taylor or ig (integrated gradients, 20 steps).") String criterion;
    @Option(names = "--composite", paramLabel = "C",
            description = "LRP composite (preset or spec string) for --criterion lrp (default: epsilon_plus for CNNs, cp_epsilon for ViTs).")
    String composite;
    @Option(names = "--components", paramLabel = "K",
            description = "channels (CNN default), linear (hidden Linear neurons), neurons (ViT MLP; the ViT default) or heads (ViT attention).")
    String components;
    @Option(names = "--grouping", defaultValue = PruneSettings.DEFAULT_GROUPING, paramLabel = "G",
            description = "independent (default: every channel on its own, masking only) or coupled (channels tied by residual adds "
                    + "scored and removed together; needed by 'compact').") String grouping;
    @Option(names = "--reduction", defaultValue = PruneSettings.DEFAULT_REDUCTION, paramLabel = "R",
            description = "How coupled channels' scores combine: sum (default), mean or max.") String reduction;
    @Option(names = "--ranking", defaultValue = PruneSettings.DEFAULT_RANKING, paramLabel = "R", description = "global (default) or layer.") String ranking;
    @Option(names = "--reference-per-class", paramLabel = "N",
            description = "Reference images per class from the training split (default " + PruneSettings.DEFAULT_REFERENCE_PER_CLASS + ").")
    Integer perClass;
    @Option(names = "--reference", paramLabel = "F", description = "The reference images given explicitly (a dataset, e.g. a tensor "
            + ".safetensors with images and labels), instead of --reference-per-class.") Path reference;
    @Option(names = "--rates", paramLabel = "R", description = "Comma list or START:STOP:STEP, starting at 0 (default 0:0.95:0.05).")
    String rates;
    @Option(names = "--classes", paramLabel = "K", description = "Restricted task: the first K classes only.") Integer classes;
    @Option(names = "--validation-limit", paramLabel = "N",
            description = "Evaluate the validation curve on at most N images, stratified by class (default: all).") Integer validationLimit;
    @Option(names = "--test-limit", paramLabel = "N",
            description = "Evaluate the test curve on at most N images, stratified by class (default: all).") Integer testLimit;
    @Option(names = "--signed", description = "LRP scores sum signed relevance instead of |relevance|.") boolean signed;
    @Option(names = "--start", defaultValue = PruneSettings.DEFAULT_START, paramLabel = "S",
            description = "LRP start relevance: onehot (of the true label; default) or logit (the true label's logit times one-hot).")
    String start;
    @Option(names = "--normalize", description = "Divide each layer's scores by their L1 norm before the global ranking.") boolean normalize;
    @Option(names = "--reference-batch", defaultValue = "" + PruneSettings.DEFAULT_REFERENCE_BATCH, paramLabel = "B",
            description = "Reference images per LRP (or other criterion) pass (default: ${DEFAULT-VALUE}).")
    int referenceBatch;

    @Override
    public Integer call() throws Exception {
        PruneSettings s = settings();
        PrintWriter err = new PrintWriter(spec.commandLine().getErr(), true);
        CurveResult curve;
        try (ConsoleMonitor monitor = new ConsoleMonitor(err)) {
            curve = PruneRun.run(s, monitor);
        }
        err.printf("%s: a_pr %.4f, auc %.4f, top_pr %s on the %s split; wrote %s%n", curve.method().criterion(), curve.test().metrics().aPr(),
                curve.test().metrics().auc(), curve.test().metrics().topPr(), curve.evaluation().split(), out.out.resolve(CurveResult.CURVE));
        return 0;
    }

    /** The options as settings (validated). */
    PruneSettings settings() {
        return PruneSettings.builder().arch(model.arch()).weights(model.weights).data(data.data).criterion(criterion)
                .composite(composite).components(components).grouping(grouping).reduction(reduction).ranking(ranking).referencePerClass(perClass)
                .reference(reference).rates(rates).classes(classes).validationLimit(validationLimit).testLimit(testLimit).seed(seed.seed)
                .signed(signed).start(start).normalize(normalize).batch(batch.or(PruneSettings.AUTOMATIC_BATCH)).referenceBatch(referenceBatch)
                .device(device.or(PruneSettings.DEFAULT_DEVICE)).out(out.out).force(force.force).build();
    }
}
