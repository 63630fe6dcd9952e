package org.relprune.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.relprune.run.PruneSettings;
import org.relprune.run.SearchRun;
import org.relprune.run.SearchSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Searches LRP composites for pruning: trials stored in a resumable SQLite study. */
@Command(name = "search", mixinStandardHelpOptions = true,
        description = {"Search the LRP composite (a rule and parameter per layer group, the score option) that maximizes a_pr of the "
                + "pruning curve on the validation split. Trials live in a SQLite study (--study): a killed search resumes with the next "
                + "trial, several processes can share a study, --trials is the study's total. The search runs on the CPU.",
                "When every trial is done: DIR/search.json (the best point), DIR/best and DIR/default (test-split curves of the best "
                        + "and the default composite) and DIR/report.html (--out DIR).",
                "--seed: strategy and reference sampling. --batch: images per forward pass of each trial's curve (default: automatic, as 'prune'). "
                        + "--force: replace another search's results in DIR (a rerun of the same study into DIR needs none).",
                "Exit code 3: no trial left to claim, but the study is unfinished (trials running in other live processes); the message names "
                        + "the trial, its process and its lease."})
final class SearchCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin CommonOptions.TrainedModel model;
    @Mixin CommonOptions.Data data;
    @Mixin CommonOptions.Batch batch;
    @Mixin CommonOptions.Out out;
    @Mixin CommonOptions.Seed seed;
    @Mixin CommonOptions.Force force;

    @Option(names = "--trials", required = true, paramLabel = "N", description = "Trials of the whole study.") int trials;
    @Option(names = "--strategy", defaultValue = SearchSettings.DEFAULT_STRATEGY, paramLabel = "S",
            description = "bo (default: Gaussian process, expected improvement, after --warmup random trials) or random.") String strategy;
    @Option(names = "--warmup", defaultValue = "" + SearchSettings.DEFAULT_WARMUP, paramLabel = "N",
            description = "Random trials before bo models them (default: ${DEFAULT-VALUE}).")
    int warmup;
    @Option(names = "--space", paramLabel = "F", description = "Search space JSON (default: every group and rule; docs/search.md).") Path space;
    @Option(names = "--study", required = true, paramLabel = "S.db") Path study;
    @Option(names = "--reference-per-class", defaultValue = "" + SearchSettings.DEFAULT_REFERENCE_PER_CLASS, paramLabel = "N") int perClass;
    @Option(names = "--validation-limit", defaultValue = "" + SearchSettings.DEFAULT_VALIDATION_LIMIT, paramLabel = "N",
            description = "Validation images per trial curve, stratified (default: ${DEFAULT-VALUE}).") int validationLimit;
    @Option(names = "--test-limit", paramLabel = "N",
            description = "Test images for the final curves of the best and the default composite, stratified (default: all).") Integer testLimit;
    @Option(names = "--lease", defaultValue = "" + SearchSettings.DEFAULT_LEASE_SECONDS, paramLabel = "SECONDS",
            description = "A RUNNING trial whose process sent no heartbeat for this long is run again; at least 1 (default: ${DEFAULT-VALUE}). "
                    + "A trial of a process of this host that is gone is run again at once.") int lease;

    @Override
    public Integer call() throws Exception {
        try (ConsoleMonitor monitor = new ConsoleMonitor(new PrintWriter(spec.commandLine().getErr(), true))) {
            SearchRun.run(settings(), monitor);
        }
        return 0;
    }

    /** The options as settings (validated). */
    SearchSettings settings() {
        return SearchSettings.builder().arch(model.arch()).weights(model.weights).data(data.data).trials(trials).strategy(strategy)
                .warmup(warmup).space(space).seed(seed.seed).study(study).out(out.out).referencePerClass(perClass).validationLimit(validationLimit)
                .testLimit(testLimit).leaseSeconds(lease).batch(batch.or(PruneSettings.AUTOMATIC_BATCH)).force(force.force).build();
    }
}
