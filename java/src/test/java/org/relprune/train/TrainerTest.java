package org.relprune.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.relprune.backend.cpu.CpuBackend;
import org.relprune.backend.cpu.TorchTrainingSession;
import org.relprune.io.data.IdxDataset;
import org.relprune.io.data.PreparedData;
import org.relprune.model.Graph;
import org.relprune.model.zoo.ModelZoo;
import org.relprune.tensor.HostTensor;

/** Training on the committed MNIST data: learns, and is bit-for-bit reproducible. */
class TrainerTest {
    private static PreparedData mnist;
    private static Trainer trainer;

    @BeforeAll
    static void load() throws Exception {
        mnist = PreparedData.prepare(IdxDataset.read(Path.of("..", "data", "mnist")), 0.1, 0.1, 0, null);
        trainer = new Trainer(TorchTrainingSession::new, CpuBackend::new);
    }

    private static Trainer.Result trainBriefly(String arch, long seed) {
        Graph g = ModelZoo.resolve(arch);
        TrainConfig c = TrainDefaults.forGraph(g).withEpochs(1).withSeed(seed);
        // 3000 images keep the test short; the split itself is the real one.
        return trainer.train(g, mnist.train().subset(java.util.stream.IntStream.range(0, 3000).toArray()), null, c, new TrainingListener() { });
    }

    @Test
    void lenet5LearnsWellAboveChance() {
        Graph g = ModelZoo.resolve("lenet5");
        Trainer.Result r = trainBriefly("lenet5", 0);
        Accuracy a = trainer.evaluate(g, r.weights(), mnist.test());
        assertEquals(mnist.test().size(), a.samples());
        assertTrue(a.top1() > 0.8, "top-1 after one short epoch: " + a.top1());
        assertTrue(r.history().get(0).trainLoss() < 1.5, "mean loss " + r.history().get(0).trainLoss());
    }

    @Test
    void sameSeedGivesIdenticalWeightsAndAnotherSeedDoesNot() {
        // resnet20-style graph with BatchNorm exercises running statistics too; a tiny width keeps it fast.
        String arch = "{\"preset\":\"resnet20\",\"width\":4,\"layers\":[1,1,1],\"input\":[1,28,28]}";
        Map<String, HostTensor> a = trainBriefly(arch, 7).weights();
        Map<String, HostTensor> b = trainBriefly(arch, 7).weights();
        Map<String, HostTensor> c = trainBriefly(arch, 8).weights();
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            assertArrayEquals(a.get(k).data(), b.get(k).data(), k);
        }
        assertTrue(!Arrays.equals(a.get("conv1.weight").data(), c.get("conv1.weight").data()));
        assertTrue(!Arrays.equals(a.get("bn1.running_mean").data(), new float[a.get("bn1.running_mean").data().length]),
                "running statistics must have been updated");
    }

    @Test
    void schedulesFollowTheirFormulas() {
        LearningRateSchedule cos = LearningRateSchedule.parse("cosine");
        LearningRateSchedule step = LearningRateSchedule.parse("step:3:0.5");
        LearningRateSchedule constant = LearningRateSchedule.parse("constant");
        for (int e = 0; e < 10; e++) {
            // cosine annealing to 0 over 10 epochs, and halving every 3 epochs, written out independently
            assertEquals(0.1 * 0.5 * (1 + Math.cos(Math.PI * e / 10)), cos.at(0.1, e, 10), 1e-12, "cosine epoch " + e);
            assertEquals(0.1 * Math.pow(0.5, e / 3), step.at(0.1, e, 10), 1e-12, "step epoch " + e);
            assertEquals(0.1, constant.at(0.1, e, 10), 1e-15, "constant epoch " + e);
        }
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.parse("step:0:0.5"));
    }

    @Test
    void aNonFiniteLossStopsTrainingAndKeepsTheLastFiniteEpoch() {
        String arch = "lenet5";
        Graph g = ModelZoo.resolve(arch);
        TrainConfig c = TrainDefaults.forGraph(g).withEpochs(3).withSeed(4).withSchedule(LearningRateSchedule.parse("constant"));
        var data = mnist.train().subset(java.util.stream.IntStream.range(0, 640).toArray());
        // a session whose loss turns NaN at the second epoch's 3rd batch (640 images / 64 = 10 batches an epoch)
        int[] steps = {0};
        org.relprune.backend.TrainingSession.Opener failing = (initial, trainable, optimizer) -> {
            org.relprune.backend.TrainingSession real = new TorchTrainingSession(initial, trainable, optimizer);
            return new org.relprune.backend.TrainingSession() {
                public org.relprune.backend.TrainingBackend backend() {
                    return real.backend();
                }

                public org.relprune.tensor.Tensor weight(String name) {
                    return real.weight(name);
                }

                public Step step(org.relprune.tensor.Tensor logits, int[] labels) {
                    Step s = real.step(logits, labels);
                    return ++steps[0] == 13 ? new Step(Double.NaN, s.correct()) : s;
                }

                public void learningRate(double lr) {
                    real.learningRate(lr);
                }

                public Map<String, HostTensor> exportWeights() {
                    return real.exportWeights();
                }

                public void close() {
                    real.close();
                }
            };
        };
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> new Trainer(failing, CpuBackend::new).train(g, data, null, c, new TrainingListener() { }));
        assertEquals(2, e.epoch());
        assertTrue(e.getMessage().startsWith("training diverged at epoch 2 (loss NaN); lower --lr"), e.getMessage());
        assertEquals(1, e.lastFinite().history().size());
        // the kept weights are those after the first epoch: with a constant learning rate, what a 1-epoch run of the same seed ends with
        Map<String, HostTensor> oneEpoch = trainer.train(g, data, null, c.withEpochs(1), new TrainingListener() { }).weights();
        for (String k : oneEpoch.keySet()) {
            assertArrayEquals(oneEpoch.get(k).data(), e.lastFinite().weights().get(k).data(), k);
        }
    }

    @Test
    void accuracyCountsTopOneAndTopFive() {
        float[] logits = {
            0, 1, 2, 3, 4, 5, 6, // label 6: top-1
            6, 5, 4, 3, 2, 1, 0, // label 2: third best -> top-5 only
            0, 0, 0, 0, 0, 0, 9}; // label 0: 9 wins, ties after it do not count -> top-5 only
        int[] h = Accuracy.hits(logits, 7, new int[] {6, 2, 0});
        assertArrayEquals(new int[] {1, 3}, h);
    }
}
