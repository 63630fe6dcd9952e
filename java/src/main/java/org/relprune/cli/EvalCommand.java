package org.relprune.cli;

import com.google.gson.GsonBuilder;
import java.util.concurrent.Callable;
import org.relprune.run.EvalRun;
import org.relprune.run.EvalSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Top-1/top-5 accuracy of a model on a split of a dataset, as JSON. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Print top-1/top-5 accuracy (fractions) of a model on a dataset split as JSON.",
                "The split and the normalization are those of the model's sidecar (W's .json beside it) when it has one, "
                        + "else the defaults of 'train' (10% validation, 10% test, split seed 0, statistics of the training split).",
                "--device: auto by default (CUDA when it loads, else CPU). --batch: 256 images per pass by default."})
final class EvalCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin CommonOptions.TrainedModel model;
    @Mixin CommonOptions.Data data;
    @Mixin CommonOptions.Device device;
    @Mixin CommonOptions.Batch batch;

    @Option(names = "--split", defaultValue = EvalSettings.DEFAULT_SPLIT, paramLabel = "S",
            description = "train, validation, test or all (default: ${DEFAULT-VALUE}).")
    String split;

    @Override
    public Integer call() throws Exception {
        EvalSettings s = new EvalSettings(model.arch(), model.weights, data.data, split, device.or(EvalSettings.DEFAULT_DEVICE),
                batch.positive(EvalSettings.DEFAULT_BATCH));
        spec.commandLine().getOut().println(new GsonBuilder().setPrettyPrinting().create().toJson(EvalRun.run(s).toJson()));
        return 0;
    }
}
