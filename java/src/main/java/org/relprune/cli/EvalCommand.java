package org.relprune.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.relprune.backend.Backend;
import org.relprune.run.Backends;
import org.relprune.io.WeightFiles;
import org.relprune.io.data.Datasets;
import org.relprune.io.data.ImageDataset;
import org.relprune.io.data.PreparedData;
import org.relprune.model.Graph;
import org.relprune.model.Model;
import org.relprune.train.Accuracy;
import org.relprune.train.Evaluator;
import org.relprune.model.zoo.ModelZoo;
import org.relprune.run.DatasetFit;
import org.relprune.run.ModelSplits;
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

    @Option(names = "--split", defaultValue = "test", paramLabel = "S", description = "train, validation, test or all (default: ${DEFAULT-VALUE}).")
    String split;


    @Override
    public Integer call() throws Exception {
        Graph graph = ModelZoo.resolve(model.arch());
        ImageDataset raw = Datasets.open(data.data);
        DatasetFit.check(graph, raw);
        PreparedData d = ModelSplits.prepare(model.weights, raw);
        ImageDataset target;
        if (split.equals("all")) {
            target = raw.normalized() ? raw : raw.normalized(d.mean(), d.std());
        } else {
            target = d.split(split);
        }
        Accuracy a;
        try (Backend backend = Backends.open(device.or("auto"), new java.io.PrintStream(System.err, true));
             Model loaded = Model.load(graph, WeightFiles.read(model.weights), backend)) {
            a = Evaluator.evaluate(loaded, target, batch.positive(256));
        }
        JsonObject o = new JsonObject();
        o.addProperty("split", split);
        o.addProperty("samples", a.samples());
        o.addProperty("top1", a.top1());
        o.addProperty("top5", a.top5());
        o.addProperty("weights", model.weights.toString());
        o.addProperty("data", raw.source());
        spec.commandLine().getOut().println(new GsonBuilder().setPrettyPrinting().create().toJson(o));
        return 0;
    }
}
