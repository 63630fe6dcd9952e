package org.relprune.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.relprune.backend.OptimizerSpec;
import org.relprune.model.Graph;
import org.relprune.model.zoo.ModelZoo;
import org.relprune.train.TrainConfig;

/** Training settings: unset values take the architecture's defaults (docs/training.md), given ones replace them. */
class TrainSettingsTest {
    private static TrainSettings.Builder required() {
        return TrainSettings.builder().arch("lenet5").data(Path.of("mnist")).out(Path.of("o"));
    }

    @Test
    void unsetValuesAreTheArchitecturesDefaults() {
        TrainSettings s = required().build();
        assertEquals(0.1, s.validation());
        assertEquals(0.1, s.test());
        assertEquals(0, s.splitSeed());
        // docs/training.md: LeNet trains 15 epochs of 64 with Adam, lr 1e-3, cosine; ResNets with SGD lr 0.05, momentum 0.9, wd 5e-4
        TrainConfig lenet = s.config(ModelZoo.resolve("lenet5"));
        assertEquals(15, lenet.epochs());
        assertEquals(64, lenet.batch());
        assertEquals(OptimizerSpec.Kind.ADAM, lenet.optimizer().kind());
        assertEquals(1e-3, lenet.optimizer().learningRate());
        assertEquals("cosine", lenet.schedule().toString());
        TrainConfig resnet = s.config(ModelZoo.resolve("resnet20"));
        assertEquals(OptimizerSpec.Kind.SGD, resnet.optimizer().kind());
        assertEquals(0.05, resnet.optimizer().learningRate());
        assertEquals(0.9, resnet.optimizer().momentum());
        assertEquals(5e-4, resnet.optimizer().weightDecay());
    }

    @Test
    void givenValuesReplaceTheDefaults() {
        Graph lenet = ModelZoo.resolve("lenet5");
        TrainConfig c = required().epochs(2).batch(8).optimizer("sgd").lr(0.5).weightDecay(1e-3).schedule("step:3:0.5").seed(9L).build().config(lenet);
        assertEquals(2, c.epochs());
        assertEquals(8, c.batch());
        assertEquals(OptimizerSpec.Kind.SGD, c.optimizer().kind());
        assertEquals(0.9, c.optimizer().momentum(), "switching Adam to SGD brings SGD's momentum");
        assertEquals(0.5, c.optimizer().learningRate());
        assertEquals(1e-3, c.optimizer().weightDecay());
        assertEquals("step:3:0.5", c.schedule().toString());
        assertEquals(9, c.seed());
    }

    @Test
    void anUnknownOptimizerIsRefusedNamingTheOption() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> required().optimizer("rmsprop").build().config(ModelZoo.resolve("lenet5")));
        assertTrue(e.getMessage().contains("--optimizer 'rmsprop'"), e.getMessage());
    }
}
