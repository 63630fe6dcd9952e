package org.relprune.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.relprune.model.zoo.ArchitectureException;
import org.relprune.model.zoo.ModelZoo;
import org.relprune.tensor.Shape;

/**
 * Presets against the parameter counts and GFLOPS (= GMACs) that torchvision publishes for its
 * models, and the strictness of config parsing.
 */
class ModelZooTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "resnet18, 11689512, 1.81", "resnet34, 21797672, 3.66", "resnet50, 25557032, 4.09",
        "resnet101, 44549160, 7.80", "resnet152, 60192808, 11.51",
        "vgg11, 132863336, 7.61", "vgg11_bn, 132868840, 7.61", "vgg13, 133047848, 11.31", "vgg13_bn, 133053736, 11.31",
        "vgg16, 138357544, 15.47", "vgg16_bn, 138365992, 15.47", "vgg19, 143667240, 19.63", "vgg19_bn, 143678248, 19.63",
        "vit_b_16, 86567656, 17.56", "vit_l_16, 304326632, 61.55"})
    void presetMatchesTorchvisionFigures(String preset, long parameters, double gmacs) {
        Graph g = ModelZoo.resolve(preset);
        assertEquals(parameters, g.parameterCount(), preset + " parameters");
        assertEquals(gmacs, g.macs() / 1e9, 0.006, preset + " GMACs");
    }

    @Test
    void lenetCountsFromTheirLayouts() {
        // conv1 6*1*25+6, conv2 16*6*25+16, fc1 400*120+120, fc2 120*84+84, fc3 84*10+10
        assertEquals(156 + 2416 + 48120 + 10164 + 850, ModelZoo.resolve("lenet5").parameterCount());
        assertEquals(235500 + 30100 + 1010, ModelZoo.resolve("lenet300_100").parameterCount());
    }

    @Test
    void smallInputVggAdaptation() {
        // VGG-11-BN at half width, 256-wide classifier, 1x1 pooling and four max pools, for 28x28 images:
        // convs 320+18496+73856+147584+295168+3*590080, BatchNorm 2*(32+64+128+128+4*256),
        // classifier 2*(256*256+256)+256*10+10
        Graph g = ModelZoo.resolve("{\"preset\":\"vgg11_bn\",\"width\":32,\"classifier_width\":256,\"avgpool\":1,"
                + "\"max_pools\":4,\"num_classes\":10,\"input\":[1,28,28]}");
        assertEquals(2_305_664 + 2_752 + 134_154, g.parameterCount());
        assertEquals(Shape.of(256, 1, 1), g.node("avgpool").shape());
    }

    @Test
    void presetWithOverridesAndInputSize() {
        Graph g = ModelZoo.resolve("{\"preset\":\"resnet18\",\"num_classes\":10,\"input\":[3,64,64]}");
        assertEquals(Shape.of(3, 64, 64), g.inputShape());
        assertEquals(Shape.of(10), g.output().shape());
        assertEquals("resnet18", g.name());
    }

    @Test
    void architectureFileWithArchitectureField(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("a.json");
        Files.writeString(f, "{\"architecture\":{\"family\":\"torchvision.VGG\",\"config\":\"A\",\"batch_norm\":true,\"num_classes\":7,\"input\":[3,32,32]},\"notes\":1}");
        Graph g = ModelZoo.resolve(f.toString());
        assertEquals(Shape.of(7), g.output().shape());
    }

    @Test
    void badConfigsNameTheProblem() {
        assertMessage("{\"family\":\"torchvision.ResNet\",\"block\":\"Basic\",\"layers\":[1,1,1,1]}", "BasicBlock");
        assertMessage("{\"family\":\"torchvision.ResNet\",\"block\":\"BasicBlock\",\"layers\":[1,1,1]}", "layers");
        assertMessage("{\"family\":\"torchvision.VGG\",\"config\":\"C\"}", "config");
        assertMessage("{\"family\":\"torchvision.VisionTransformer\",\"image_size\":30,\"patch_size\":8,\"num_layers\":1,\"num_heads\":2,"
                + "\"hidden_dim\":8,\"mlp_dim\":8}", "not divisible");
        assertMessage("{\"family\":\"torchvision.VisionTransformer\",\"image_size\":32,\"patch_size\":8,\"num_layers\":1,\"num_heads\":3,"
                + "\"hidden_dim\":8,\"mlp_dim\":8}", "num_heads");
        assertMessage("{\"family\":\"lenet5\",\"num_classes\":0}", "num_classes");
        assertMessage("{\"family\":\"lenet5\",\"colour\":true}", "colour");
        assertMessage("{\"family\":\"alexnet\"}", "alexnet");
        assertMessage("{\"preset\":\"resnet18\",\"family\":\"torchvision.VGG\"}", "either");
        assertMessage("{\"family\":\"lenet5\",\"input\":[1,4,4]}", "smaller");
        assertMessage("{not json", "invalid JSON");
    }

    @Test
    void depthIsBoundedSoThatBuildingCannotHang() {
        // 200000 encoder layers took minutes to build (fuzzing contract: an answer within seconds)
        assertMessage("{\"family\":\"torchvision.VisionTransformer\",\"image_size\":32,\"patch_size\":8,\"num_layers\":200000,"
                + "\"num_heads\":2,\"hidden_dim\":16,\"mlp_dim\":32}", "'num_layers' is 200000, more than the limit of 1000");
        assertMessage("{\"family\":\"cifar.ResNet\",\"layers\":[1,1001,1]}", "'layers' holds 1001, more than the limit of 1000");
    }

    @Test
    void errorsAreOneLineWithoutLibraryInternals(@TempDir Path tmp) throws Exception {
        // Gson's message was "...: com.google.gson.stream.MalformedJsonException: Expected ':' ...\nSee https://..."
        Path f = Files.writeString(tmp.resolve("arch.json"), "{\"famil{");
        ArchitectureException e = assertThrows(ArchitectureException.class, () -> ModelZoo.resolve(f.toString()));
        String m = e.getMessage();
        assertTrue(m.startsWith(f + ": invalid JSON: ") && m.contains("line 1 column"), m);
        assertTrue(!m.contains("\n") && !m.contains("com.google") && !m.contains("LENIENT") && !m.contains("https://"), m);
        e = assertThrows(ArchitectureException.class, () -> ModelZoo.resolve("{\"preset\":\"lenet\n5\"}"));
        assertTrue(!e.getMessage().contains("\n") && e.getMessage().contains("'lenet 5'"), e.getMessage());
    }

    private static void assertMessage(String arch, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelZoo.resolve(arch));
        assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' lacks '" + fragment + "'");
        assertTrue(e instanceof ArchitectureException || e.getMessage().contains("node"), e.getMessage());
    }

    @Test
    void aWindowLargerThanItsMapIsRefusedAsTorchWouldFloorIt() {
        // LeNet-5 on 10x10: conv2 leaves 16x1x1, and a 2x2 pool of a 1x1 map has floor((1 - 2) / 2) + 1 = 0 rows (truncation said 1)
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelZoo.resolve("{\"preset\":\"lenet5\",\"input\":[1,10,10]}"));
        assertTrue(e.getMessage().contains("pool2") && e.getMessage().contains("[16, 1, 1]"), e.getMessage());
        // the exact sizes torch computes, floor((in + 2p - k) / s) + 1, on both sides of zero
        assertEquals(0, org.relprune.backend.Pool2dSpec.of(2, 2, 0).outH(1));
        assertEquals(-1, org.relprune.backend.Conv2dSpec.outSize(1, 5, 2, 0, 1));
        assertEquals(4, org.relprune.backend.Conv2dSpec.outSize(7, 3, 2, 1, 1));
    }

    @Test
    void countsThatDoNotFitIn64BitsAreRefusedNotWrapped() {
        // width 16M is within the config's bounds, but resnet18's multiply-accumulates exceed 2^63 (they used to wrap to a negative number)
        Graph g = ModelZoo.resolve("{\"preset\":\"resnet18\",\"width\":16000000}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, g::macs);
        assertTrue(e.getMessage().contains("2^63"), e.getMessage());
        IllegalArgumentException width = assertThrows(IllegalArgumentException.class,
                () -> ModelZoo.resolve("{\"preset\":\"resnet18\",\"width\":100000000}"));
        assertTrue(width.getMessage().contains("'width'") && width.getMessage().contains("16777216"), width.getMessage());
        // before: accepted, and training grew to 23.5 GB until the kernel killed it without a message
        IllegalArgumentException classes = assertThrows(IllegalArgumentException.class,
                () -> ModelZoo.resolve("{\"preset\":\"lenet5\",\"num_classes\":25000000}"));
        assertTrue(classes.getMessage().contains("'num_classes'"), classes.getMessage());
    }
}
