package org.relprune.run;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.relprune.io.data.Datasets;
import org.relprune.io.data.ImageDataset;
import org.relprune.io.data.PreparedData;
import org.relprune.model.Graph;
import org.relprune.model.zoo.ModelZoo;
import org.relprune.train.Accuracy;
import org.relprune.train.Checkpoint;
import org.relprune.train.EpochStats;
import org.relprune.train.TrainConfig;
import org.relprune.train.Trainer;
import org.relprune.train.TrainingDivergedException;

/**
 * Training as a library call: split and normalize the data, train on the CPU, evaluate on the
 * validation and test splits, write DIR/model.safetensors and DIR/model.json.
 */
public final class TrainRun {
    private TrainRun() {
    }

    /** The accuracies of the trained model and the checkpoint's weights file. */
    public record Result(Accuracy validation, Accuracy test, double seconds, Path weights) {
        /** The line a finished training is reported with. */
        public String summary() {
            return String.format("test top-1 %.4f, top-5 %.4f (%d images); validation top-1 %.4f; %.0f s; wrote %s",
                    test.top1(), test.top5(), test.samples(), validation.top1(), seconds, weights);
        }
    }

    public static Result run(TrainSettings s, RunMonitor monitor) throws Exception {
        Path out = s.out();
        if (!s.force() && (Files.exists(out.resolve(Checkpoint.WEIGHTS)) || Files.exists(out.resolve(Checkpoint.SIDECAR)))) {
            throw new IllegalArgumentException(out + " already holds a model; pass --force to replace it");
        }
        OutputLocation.folder(out, "--out", true);
        Graph graph = ModelZoo.resolve(s.arch());
        TrainConfig config = s.config(graph);
        MemoryEstimate.training(graph, config.optimizer(), config.batch()).check();
        ImageDataset raw = Datasets.open(s.data());
        DatasetFit.check(graph, raw);
        PreparedData d = PreparedData.prepare(raw, s.validation(), s.test(), s.splitSeed(), null);
        monitor.say(String.format("train %s on %s: %d train / %d validation / %d test images, %d epochs, batch %d, %s lr %g, %s schedule, seed %d",
                graph.name(), s.data(), d.train().size(), d.validation().size(), d.test().size(), config.epochs(), config.batch(),
                config.optimizer().kind().name().toLowerCase(Locale.ROOT), config.optimizer().learningRate(), config.schedule(), config.seed()));
        long started = System.nanoTime();
        Trainer trainer = new Trainer(Backends.trainingSessions("cpu"), () -> Backends.open("cpu", new java.io.PrintStream(System.err, true)));
        Trainer.Result result;
        TrainingDivergedException diverged = null;
        try (RunMonitor.Training progress = monitor.training(config.epochs())) {
            result = trainer.train(graph, d.train(), d.validation(), config, progress);
        } catch (TrainingDivergedException e) {
            diverged = e;
            result = e.lastFinite();
        }
        if (result == null) {
            throw new IllegalStateException(diverged.getMessage() + "; nothing saved (no epoch ended with finite losses)");
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        Accuracy val = trainer.evaluate(graph, result.weights(), d.validation());
        Accuracy tst = trainer.evaluate(graph, result.weights(), d.test());
        JsonObject sidecar = sidecar(s, graph, raw, d, config, result, val, tst, seconds);
        if (diverged != null) {
            JsonObject why = new JsonObject();
            why.addProperty("epoch", diverged.epoch());
            why.addProperty("loss", String.valueOf(diverged.loss()));
            why.addProperty("kept_epoch", result.history().size());
            sidecar.add("diverged", why);
        }
        Checkpoint.write(out, result.weights(), sidecar, s.force());
        if (diverged != null) {
            throw new IllegalStateException(diverged.getMessage() + "; kept the weights of epoch " + result.history().size() + " in " + out
                    + " (test top-1 " + String.format("%.4f", tst.top1()) + ")");
        }
        return new Result(val, tst, seconds, out.resolve(Checkpoint.WEIGHTS));
    }

    /** The line a finished epoch is reported with. */
    public static String epochLine(EpochStats s, int epochs) {
        return String.format(Locale.ROOT, "epoch %d/%d: lr %.4g, loss %.4f, train acc %.4f, validation top-1 %.4f (%.1f s)",
                s.epoch() + 1, epochs, s.learningRate(), s.trainLoss(), s.trainAccuracy(), s.validationTop1(), s.seconds());
    }

    private static JsonObject sidecar(TrainSettings s, Graph graph, ImageDataset raw, PreparedData d, TrainConfig c, Trainer.Result r,
                                      Accuracy val, Accuracy tst, double seconds) {
        Gson gson = new Gson();
        JsonObject o = new JsonObject();
        o.addProperty("architecture_name", graph.name());
        o.add("architecture", ModelZoo.resolveConfig(s.arch()));
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
