package org.relprune.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.relprune.backend.OptimizerSpec;
import org.relprune.model.Graph;
import org.relprune.model.zoo.ModelZoo;

/** Memory estimated from the graph, and runs that cannot fit refused before any data is read. */
class MemoryEstimateTest {
    @AfterEach
    void clearBudget() {
        System.clearProperty(MemoryEstimate.BUDGET_PROPERTY);
    }

    @Test
    void trainingCountsWeightsGradientsOptimizerStateAndActivations() {
        // LeNet-5 written out: conv1 6x1x5x5+6, conv2 16x6x5x5+16, fc1 120x400+120, fc2 84x120+84, fc3 10x84+10
        long params = 156 + 2416 + 48120 + 10164 + 850;
        Graph g = ModelZoo.resolve("lenet5");
        assertEquals(params, g.parameterCount());
        MemoryEstimate adam = MemoryEstimate.training(g, new OptimizerSpec(OptimizerSpec.Kind.ADAM, 1e-3, 0, 0, false), 64);
        assertEquals(4 * params, adam.weights(), "no buffers in LeNet-5");
        assertEquals(4 * params, adam.gradients());
        assertEquals(8 * params, adam.optimizer(), "Adam: two moments");
        MemoryEstimate sgd = MemoryEstimate.training(g, new OptimizerSpec(OptimizerSpec.Kind.SGD, 0.1, 0, 0, false), 64);
        assertEquals(0, sgd.optimizer(), "plain SGD keeps no state");
        assertEquals(2 * adam.activations(), MemoryEstimate.training(g, new OptimizerSpec(OptimizerSpec.Kind.ADAM, 1e-3, 0, 0, false), 128)
                .activations(), "activations grow with the batch");
    }

    @Test
    void aModelThatCannotFitIsRefusedWithItsNumbers() {
        // 8 million classes: 680,060,856 parameters (fc3: 84 x 8M + 8M), 2.72 GB in float32; Adam training holds four copies (10.9 GB);
        // a batch of 64 keeps 8,015,792 activations an image (the 8M logits dominate) and their gradients: 4.1 GB
        Graph g = ModelZoo.resolve("{\"preset\":\"lenet5\",\"num_classes\":8000000}");
        System.setProperty(MemoryEstimate.BUDGET_PROPERTY, String.valueOf(4_000_000_000L));
        MemoryEstimate e = MemoryEstimate.training(g, new OptimizerSpec(OptimizerSpec.Kind.ADAM, 1e-3, 0, 0, false), 64);
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e::check);
        assertTrue(x.getMessage().startsWith("training lenet5 needs about 15.0 GB") && x.getMessage().contains("but 4.0 GB of memory are available"),
                x.getMessage());
        MemoryEstimate.inference(ModelZoo.resolve("lenet5"), 32, "pruning").check(); // a small model fits
    }

    @Test
    void trainRefusesBeforeReadingTheData() {
        System.setProperty(MemoryEstimate.BUDGET_PROPERTY, String.valueOf(1_000_000_000L));
        // the data folder does not exist: the estimate must fail first
        TrainSettings s = TrainSettings.builder().arch("{\"preset\":\"lenet5\",\"num_classes\":8000000}").data(Path.of("/nonexistent/data"))
                .out(Path.of(System.getProperty("java.io.tmpdir"), "relprune-memory-test")).build();
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> TrainRun.run(s, RunMonitor.quiet()));
        assertTrue(x.getMessage().contains("needs about"), x.getMessage());
    }
}
