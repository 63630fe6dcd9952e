package org.relprune.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.relprune.backend.Backend;
import org.relprune.backend.Backends;
import org.relprune.io.WeightFiles;
import org.relprune.io.data.Datasets;
import org.relprune.io.data.ImageDataset;
import org.relprune.io.data.PreparedData;
import org.relprune.model.Graph;
import org.relprune.model.Model;
import org.relprune.model.train.Accuracy;
import org.relprune.model.train.Evaluator;
import org.relprune.model.zoo.ModelZoo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Top-1/top-5 accuracy of a model on a split of a dataset, as JSON. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Print top-1/top-5 accuracy (fractions) of a model on a dataset split as JSON.",
                "The split and the normalization are those of the model's sidecar (W's .json beside it) when it has one, "
                        + "else the defaults of 'train' (10% validation, 10% test, split seed 0, statistics of the training split)."})
final class EvalCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--arch", required = true, paramLabel = "A") String arch;
    @Option(names = "--weights", required = true, paramLabel = "W") Path weights;
    @Option(names = "--data", required = true, paramLabel = "D") Path data;

    @Option(names = "--split", defaultValue = "test", paramLabel = "S", description = "train, validation, test or all (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--device", defaultValue = "auto", paramLabel = "cpu|cuda|auto") String device;
    @Option(names = "--batch", defaultValue = "256", paramLabel = "B") int batch;

    @Override
    public Integer call() throws Exception {
        Graph graph = ModelZoo.resolve(arch);
        ImageDataset raw = Datasets.open(data);
        TrainCommand.checkFits(graph, raw);
        PreparedData d = ModelSplits.prepare(weights, raw);
        ImageDataset target;
        if (split.equals("all")) {
            target = raw.normalized() ? raw : raw.normalized(d.mean(), d.std());
        } else {
            target = d.split(split);
        }
        Accuracy a;
        try (Backend backend = Backends.open(device, new java.io.PrintStream(System.err, true));
             Model model = Model.load(graph, WeightFiles.read(weights), backend)) {
            a = Evaluator.evaluate(model, target, batch);
        }
        JsonObject o = new JsonObject();
        o.addProperty("split", split);
        o.addProperty("samples", a.samples());
        o.addProperty("top1", a.top1());
        o.addProperty("top5", a.top5());
        o.addProperty("weights", weights.toString());
        o.addProperty("data", raw.source());
        spec.commandLine().getOut().println(new GsonBuilder().setPrettyPrinting().create().toJson(o));
        return 0;
    }
}
