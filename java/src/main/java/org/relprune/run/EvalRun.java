package org.relprune.run;

import com.google.gson.JsonObject;
import org.relprune.backend.Backend;
import org.relprune.io.WeightFiles;
import org.relprune.io.data.Datasets;
import org.relprune.io.data.ImageDataset;
import org.relprune.io.data.PreparedData;
import org.relprune.model.Graph;
import org.relprune.model.Model;
import org.relprune.model.zoo.ModelZoo;
import org.relprune.train.Accuracy;
import org.relprune.train.Evaluator;

/**
 * Evaluation as a library call: top-1/top-5 accuracy of a model on a split of a dataset, the split
 * and normalization those of the model's sidecar (else the defaults of 'train').
 */
public final class EvalRun {
    private EvalRun() {
    }

    /** The accuracy, and where it was measured (the dataset's source as it names itself). */
    public record Result(EvalSettings settings, Accuracy accuracy, String dataSource) {
        /** What 'eval' prints. */
        public JsonObject toJson() {
            JsonObject o = new JsonObject();
            o.addProperty("split", settings.split());
            o.addProperty("samples", accuracy.samples());
            o.addProperty("top1", accuracy.top1());
            o.addProperty("top5", accuracy.top5());
            o.addProperty("weights", settings.weights().toString());
            o.addProperty("data", dataSource);
            return o;
        }
    }

    public static Result run(EvalSettings s) throws Exception {
        Graph graph = ModelZoo.resolve(s.arch());
        MemoryEstimate.inference(graph, s.batch(), "evaluating").check();
        ImageDataset raw = Datasets.open(s.data());
        DatasetFit.check(graph, raw);
        PreparedData d = ModelSplits.prepare(s.weights(), raw);
        ImageDataset target = s.split().equals("all") ? (raw.normalized() ? raw : raw.normalized(d.mean(), d.std())) : d.split(s.split());
        try (Backend backend = Backends.open(s.device(), new java.io.PrintStream(System.err, true));
             Model model = Model.load(graph, WeightFiles.read(s.weights()), backend)) {
            return new Result(s, Evaluator.evaluate(model, target, s.batch()), raw.source());
        }
    }
}
