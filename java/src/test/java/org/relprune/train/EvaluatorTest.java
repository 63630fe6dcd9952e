package org.relprune.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.relprune.backend.cpu.CpuBackend;
import org.relprune.io.data.IdxDataset;
import org.relprune.io.data.ImageDataset;
import org.relprune.io.data.PreparedData;
import org.relprune.model.Graph;
import org.relprune.model.Model;
import org.relprune.model.RandomWeights;
import org.relprune.model.zoo.ModelZoo;
import org.relprune.prune.ComponentKind;
import org.relprune.prune.Components;
import org.relprune.prune.CurveEvaluator;
import org.relprune.prune.PruningPlan;
import org.relprune.prune.RandomCriterion;
import org.relprune.prune.Rates;
import org.relprune.tensor.HostTensor;

/** A model whose logits are NaN (NaN weights: what a diverged training leaves) scores 0 everywhere accuracy is counted. */
class EvaluatorTest {
    @Test
    void nanLogitsCountAsWrongInEvaluationAndInPruningCurves() throws Exception {
        Graph g = ModelZoo.resolve("lenet5");
        Map<String, HostTensor> w = new HashMap<>(RandomWeights.generate(g, 1));
        String name = "fc3.weight"; // the classifier
        HostTensor fc = w.get(name);
        float[] nan = fc.data().clone();
        java.util.Arrays.fill(nan, Float.NaN);
        w.put(name, new HostTensor(fc.shape(), nan));
        ImageDataset test = PreparedData.prepare(IdxDataset.read(Path.of("..", "data", "mnist")), 0.1, 0.1, 0, null).test();
        try (CpuBackend cpu = new CpuBackend(); Model m = Model.load(g, w, cpu)) {
            Accuracy a = Evaluator.evaluate(m, test, 256);
            // before: NaN never compared greater, so every label ranked first: top-1 = top-5 = 1.0
            assertEquals(0.0, a.top1(), name + " NaN: every row's logits are NaN");
            assertEquals(0.0, a.top5());
            PruningPlan plan = PruningPlan.build(Components.of(g, ComponentKind.CHANNELS),
                    new RandomCriterion(0).score(null, Components.of(g, ComponentKind.CHANNELS), null), Rates.parse("0,0.5"), true, false);
            double[] curve = CurveEvaluator.accuracy(m, plan, test, null, 0, null);
            assertEquals(0.0, curve[0], "rate 0 of the curve");
            assertEquals(0.0, curve[1], "rate 0.5 of the curve");
        }
    }
}
