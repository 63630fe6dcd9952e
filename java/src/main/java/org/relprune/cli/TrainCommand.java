package org.relprune.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.relprune.run.TrainRun;
import org.relprune.run.TrainSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Trains a model on the CPU and writes DIR/model.safetensors and DIR/model.json. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train a model on the CPU (libtorch autograd through relprune's own graph).",
                "Writes DIR/model.safetensors (torchvision names) and DIR/model.json (architecture, data, split, "
                        + "normalization, settings, accuracies as fractions, versions) into --out DIR; --force replaces a model there.",
                "Defaults depend on the architecture (see docs/training.md), --batch too."})
final class TrainCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin CommonOptions.Arch arch;
    @Mixin CommonOptions.Data data;
    @Mixin CommonOptions.Batch batch;
    @Mixin CommonOptions.Out out;
    @Mixin CommonOptions.Force force;
    @Mixin CommonOptions.Seed seed;

    @Option(names = "--epochs", paramLabel = "N") Integer epochs;
    @Option(names = "--lr", paramLabel = "LR") Double lr;
    @Option(names = "--optimizer", paramLabel = "sgd|adam") String optimizer;
    @Option(names = "--momentum", paramLabel = "M", description = "SGD momentum.") Double momentum;
    @Option(names = "--weight-decay", paramLabel = "WD") Double weightDecay;
    @Option(names = "--schedule", paramLabel = "S", description = "constant, cosine, or step:SIZE:GAMMA.") String schedule;

    @Option(names = "--validation", defaultValue = "" + TrainSettings.DEFAULT_VALIDATION, paramLabel = "F",
            description = "Validation fraction (default: ${DEFAULT-VALUE}).")
    double validation;

    @Option(names = "--test", defaultValue = "" + TrainSettings.DEFAULT_TEST, paramLabel = "F", description = "Held-out test fraction (default: ${DEFAULT-VALUE}).")
    double test;

    @Option(names = "--split-seed", defaultValue = "" + TrainSettings.DEFAULT_SPLIT_SEED, paramLabel = "S",
            description = "Seed of the stratified split (default: ${DEFAULT-VALUE}).")
    long splitSeed;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = new PrintWriter(spec.commandLine().getErr(), true);
        try (ConsoleMonitor monitor = new ConsoleMonitor(err)) {
            err.println(TrainRun.run(settings(), monitor).summary());
        }
        return 0;
    }

    /** The options as settings. */
    TrainSettings settings() {
        return TrainSettings.builder().arch(arch.arch).data(data.data).out(out.out).epochs(epochs).batch(batch.batch).lr(lr)
                .optimizer(optimizer).momentum(momentum).weightDecay(weightDecay).schedule(schedule).seed(seed.seed).validation(validation)
                .test(test).splitSeed(splitSeed).force(force.force).build();
    }
}
