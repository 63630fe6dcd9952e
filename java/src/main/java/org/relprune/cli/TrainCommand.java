package org.relprune.cli;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.relprune.backend.OptimizerSpec;
import org.relprune.io.data.Datasets;
import org.relprune.io.data.ImageDataset;
import org.relprune.io.data.PreparedData;
import org.relprune.model.Graph;
import org.relprune.model.train.Accuracy;
import org.relprune.model.train.Checkpoint;
import org.relprune.model.train.EpochStats;
import org.relprune.model.train.LearningRateSchedule;
import org.relprune.model.train.TrainConfig;
import org.relprune.model.train.TrainDefaults;
import org.relprune.model.train.Trainer;
import org.relprune.model.zoo.ModelZoo;
import org.relprune.report.Provenance;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Trains a model on the CPU and writes DIR/model.safetensors and DIR/model.json. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train a model on the CPU (libtorch autograd through relprune's own graph).",
                "Writes DIR/model.safetensors (torchvision names) and DIR/model.json (architecture, data, split, "
                        + "normalization, settings, accuracies as fractions, versions).",
                "Defaults depend on the architecture (see docs/training.md)."})
final class TrainCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--arch", required = true, paramLabel = "A", description = "Preset name, inline JSON config, or JSON file.")
    String arch;

    @Option(names = "--data", required = true, paramLabel = "D", description = "IDX folder, CIFAR .bin file/folder, ImageFolder, or tensor .safetensors.")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
    Path out;

    @Option(names = "--epochs", paramLabel = "N") Integer epochs;
    @Option(names = "--batch", paramLabel = "B") Integer batch;
    @Option(names = "--lr", paramLabel = "LR") Double lr;
    @Option(names = "--optimizer", paramLabel = "sgd|adam") String optimizer;
    @Option(names = "--momentum", paramLabel = "M", description = "SGD momentum.") Double momentum;
    @Option(names = "--weight-decay", paramLabel = "WD") Double weightDecay;
    @Option(names = "--schedule", paramLabel = "S", description = "constant, cosine, or step:SIZE:GAMMA.") String schedule;
    @Option(names = "--seed", paramLabel = "S", description = "Initialization and shuffling seed (default 0).") Long seed;

    @Option(names = "--validation", defaultValue = "0.1", paramLabel = "F", description = "Validation fraction (default: ${DEFAULT-VALUE}).")
    double validation;

    @Option(names = "--test", defaultValue = "0.1", paramLabel = "F", description = "Held-out test fraction (default: ${DEFAULT-VALUE}).")
    double test;

    @Option(names = "--split-seed", defaultValue = "0", paramLabel = "S", description = "Seed of the stratified split (default: ${DEFAULT-VALUE}).")
    long splitSeed;

    @Option(names = "--force", description = "Replace a model already in DIR.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        if (!force && (Files.exists(out.resolve(Checkpoint.WEIGHTS)) || Files.exists(out.resolve(Checkpoint.SIDECAR)))) {
            throw new IllegalArgumentException(out + " already holds a model; pass --force to replace it");
        }
        Graph graph = ModelZoo.resolve(arch);
        TrainConfig config = configure(TrainDefaults.forGraph(graph));
        ImageDataset raw = Datasets.open(data);
        checkFits(graph, raw);
        PreparedData d = PreparedData.prepare(raw, validation, test, splitSeed, null);
        var err = spec.commandLine().getErr();
        err.printf("train %s on %s: %d train / %d validation / %d test images, %d epochs, batch %d, %s lr %g, %s schedule, seed %d%n",
                graph.name(), data, d.train().size(), d.validation().size(), d.test().size(), config.epochs(), config.batch(),
                config.optimizer().kind().name().toLowerCase(Locale.ROOT), config.optimizer().learningRate(), config.schedule(), config.seed());
        long started = System.nanoTime();
        Trainer.Result result;
        try (TrainingProgress progress = new TrainingProgress(config.epochs())) {
            result = Trainer.train(graph, d.train(), d.validation(), config, progress);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        Accuracy val = Trainer.evaluate(graph, result.weights(), d.validation());
        Accuracy tst = Trainer.evaluate(graph, result.weights(), d.test());
        JsonObject sidecar = sidecar(graph, raw, d, config, result, val, tst, seconds);
        Checkpoint.write(out, result.weights(), sidecar, force);
        err.printf("test top-1 %.4f, top-5 %.4f (%d images); validation top-1 %.4f; %.0f s; wrote %s%n",
                tst.top1(), tst.top5(), tst.samples(), val.top1(), seconds, out.resolve(Checkpoint.WEIGHTS));
        return 0;
    }

    private TrainConfig configure(TrainConfig c) {
        if (epochs != null) {
            c = c.withEpochs(epochs);
        }
        if (batch != null) {
            c = c.withBatch(batch);
        }
        OptimizerSpec o = c.optimizer();
        OptimizerSpec.Kind kind = o.kind();
        if (optimizer != null) {
            kind = switch (optimizer.toLowerCase(Locale.ROOT)) {
                case "sgd" -> OptimizerSpec.Kind.SGD;
                case "adam" -> OptimizerSpec.Kind.ADAM;
                default -> throw new IllegalArgumentException("unknown --optimizer '" + optimizer + "' (use sgd or adam)");
            };
        }
        double m = momentum != null ? momentum : kind == OptimizerSpec.Kind.SGD ? (o.kind() == kind ? o.momentum() : 0.9) : 0;
        c = c.withOptimizer(new OptimizerSpec(kind, lr != null ? lr : o.learningRate(), m,
                weightDecay != null ? weightDecay : o.weightDecay(), o.nesterov()));
        if (schedule != null) {
            c = c.withSchedule(LearningRateSchedule.parse(schedule));
        }
        if (seed != null) {
            c = c.withSeed(seed);
        }
        return c;
    }

    static void checkFits(Graph graph, ImageDataset d) {
        if (!d.sampleShape().equals(graph.inputShape())) {
            throw new IllegalArgumentException("images of " + d.source() + " are " + d.sampleShape() + " but " + graph.name()
                    + " expects " + graph.inputShape() + " (set \"input\" in the architecture config)");
        }
        long classes = graph.output().shape().dim(-1);
        if (d.numClasses() > classes) {
            throw new IllegalArgumentException(d.source() + " has " + d.numClasses() + " classes but " + graph.name() + " outputs "
                    + classes + " (set \"num_classes\")");
        }
    }

    private JsonObject sidecar(Graph graph, ImageDataset raw, PreparedData d, TrainConfig c, Trainer.Result r,
                               Accuracy val, Accuracy tst, double seconds) {
        Gson gson = new Gson();
        JsonObject o = new JsonObject();
        o.addProperty("architecture_name", graph.name());
        o.add("architecture", ModelZoo.resolveConfig(arch));
        JsonObject ds = new JsonObject();
        ds.addProperty("source", raw.source());
        ds.addProperty("samples", raw.size());
        ds.addProperty("num_classes", raw.numClasses());
        o.add("dataset", ds);
        JsonObject split = new JsonObject();
        split.addProperty("validation", d.validationFraction());
        split.addProperty("test", d.testFraction());
        split.addProperty("seed", d.splitSeed());
        split.addProperty("train_samples", d.train().size());
        split.addProperty("validation_samples", d.validation().size());
        split.addProperty("test_samples", d.test().size());
        o.add("split", split);
        if (d.mean() != null) {
            JsonObject n = new JsonObject();
            n.add("mean", gson.toJsonTree(d.mean()));
            n.add("std", gson.toJsonTree(d.std()));
            o.add("normalization", n);
        }
        JsonObject t = new JsonObject();
        t.addProperty("epochs", c.epochs());
        t.addProperty("batch", c.batch());
        t.addProperty("optimizer", c.optimizer().kind().name().toLowerCase(Locale.ROOT));
        t.addProperty("lr", c.optimizer().learningRate());
        t.addProperty("momentum", c.optimizer().momentum());
        t.addProperty("weight_decay", c.optimizer().weightDecay());
        t.addProperty("schedule", c.schedule().toString());
        t.addProperty("seed", c.seed());
        t.addProperty("seconds", seconds);
        t.addProperty("threads", Runtime.getRuntime().availableProcessors());
        o.add("training", t);
        JsonArray h = new JsonArray();
        for (EpochStats e : r.history()) {
            h.add(gson.toJsonTree(e));
        }
        o.add("history", h);
        JsonObject acc = new JsonObject();
        acc.add("validation", gson.toJsonTree(val));
        acc.add("test", gson.toJsonTree(tst));
        o.add("accuracy", acc);
        o.add("versions", Provenance.versions());
        return o;
    }
}
