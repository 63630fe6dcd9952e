package org.relprune.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.relprune.model.layers.Linear;
import org.relprune.model.layers.ReLU;
import org.relprune.model.zoo.ModelZoo;
import org.relprune.tensor.Shape;

/**
 * The roles and block indices the zoo builders give their nodes, against torchvision's module
 * names as written here (not the builders' own constants).
 */
class NodeRolesTest {
    /** torchvision's VisionTransformer: encoder block i is the module encoder.layers.encoder_layer_i. */
    private static final Pattern VIT_BLOCK = Pattern.compile("^encoder\\.layers\\.encoder_layer_(\\d+)\\.(.+)$");

    private static NodeRole expectedVitRole(String name) {
        if (name.equals("heads.head")) {
            return NodeRole.CLASSIFIER;
        }
        Matcher m = VIT_BLOCK.matcher(name);
        if (!m.matches()) {
            return NodeRole.OTHER;
        }
        return switch (m.group(2)) {
            case "self_attention.in_proj" -> NodeRole.ATTENTION_IN_PROJECTION;
            case "self_attention.out_proj" -> NodeRole.ATTENTION_OUT_PROJECTION;
            case "mlp.0" -> NodeRole.MLP_HIDDEN;
            case "mlp.3" -> NodeRole.MLP_OUTPUT;
            default -> NodeRole.OTHER;
        };
    }

    private static int expectedVitBlock(String name) {
        Matcher m = VIT_BLOCK.matcher(name);
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }

    @Test
    void vitNodesCarryTheirBlockAndRole() {
        Graph g = ModelZoo.resolve("vit_b_16");
        Node mlp = g.node("encoder.layers.encoder_layer_3.mlp.0");
        assertEquals(NodeRole.MLP_HIDDEN, mlp.role());
        assertEquals(3, mlp.block());
        Node in = g.node("encoder.layers.encoder_layer_0.self_attention.in_proj");
        assertEquals(NodeRole.ATTENTION_IN_PROJECTION, in.role());
        assertEquals(0, in.block());
        Node out = g.node("encoder.layers.encoder_layer_11.self_attention.out_proj");
        assertEquals(NodeRole.ATTENTION_OUT_PROJECTION, out.role());
        assertEquals(11, out.block());
        assertEquals(NodeRole.MLP_OUTPUT, g.node("encoder.layers.encoder_layer_7.mlp.3").role());
        assertEquals(NodeRole.OTHER, g.node("encoder.layers.encoder_layer_7.self_attention.attention").role());
        assertEquals(7, g.node("encoder.layers.encoder_layer_7.ln_1").block());
        Node head = g.node("heads.head");
        assertEquals(NodeRole.CLASSIFIER, head.role());
        assertEquals(-1, head.block());
        assertSame(head, g.classifier());
        for (String outside : new String[] {"input", "conv_proj", "encoder.embedding", "encoder.ln", "class_token_output"}) {
            assertEquals(NodeRole.OTHER, g.node(outside).role(), outside);
            assertEquals(-1, g.node(outside).block(), outside);
        }
        // every node, and every block whole: ln_1, in_proj, attention, out_proj, add_1, ln_2, mlp.0, mlp.1, mlp.3, add_2
        Map<Integer, Integer> perBlock = new TreeMap<>();
        for (Node n : g.nodes()) {
            assertEquals(expectedVitRole(n.name()), n.role(), n.name());
            assertEquals(expectedVitBlock(n.name()), n.block(), n.name());
            if (n.block() >= 0) {
                perBlock.merge(n.block(), 1, Integer::sum);
            }
        }
        assertEquals(12, perBlock.size());
        perBlock.forEach((b, count) -> assertEquals(10, count, "nodes of block " + b));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"resnet18, fc", "resnet50, fc", "resnet20, fc", "lenet5, fc3", "lenet300_100, fc3", "vgg11_bn, classifier.6"})
    void cnnsHaveOnlyTheirClassifierMarked(String preset, String classifier) {
        Graph g = ModelZoo.resolve(preset);
        assertEquals(classifier, g.classifier().name());
        for (Node n : g.nodes()) {
            assertEquals(n.name().equals(classifier) ? NodeRole.CLASSIFIER : NodeRole.OTHER, n.role(), n.name());
            assertEquals(-1, n.block(), n.name());
        }
    }

    @Test
    void prunedModelsKeepTheBaseRolesAndBlocks() {
        String vit = "{\"family\":\"torchvision.VisionTransformer\",\"image_size\":32,\"patch_size\":8,\"num_layers\":2,"
                + "\"num_heads\":2,\"hidden_dim\":8,\"mlp_dim\":16,\"num_classes\":3}";
        Graph base = ModelZoo.resolve(vit);
        Graph pruned = ModelZoo.resolve("{\"family\":\"relprune.Pruned\",\"base\":" + vit + ",\"widths\":{"
                + "\"encoder.layers.encoder_layer_1.mlp.0\":5,\"encoder.layers.encoder_layer_0.self_attention.in_proj\":12,"
                + "\"encoder.layers.encoder_layer_0.self_attention.attention\":1}}");
        assertEquals(5, ((Linear) pruned.node("encoder.layers.encoder_layer_1.mlp.0").layer()).out());
        assertEquals(base.nodes().size(), pruned.nodes().size());
        for (int i = 0; i < base.nodes().size(); i++) {
            Node b = base.nodes().get(i);
            Node p = pruned.nodes().get(i);
            assertEquals(b.name(), p.name());
            assertEquals(expectedVitRole(b.name()), p.role(), b.name());
            assertEquals(expectedVitBlock(b.name()), p.block(), b.name());
        }
        Graph lenet = ModelZoo.resolve("{\"family\":\"relprune.Pruned\",\"base\":{\"preset\":\"lenet5\"},\"widths\":{\"fc1\":60}}");
        assertEquals("fc3", lenet.classifier().name());
    }

    @Test
    void handBuiltNodesDefaultToNoRoleAndOneClassifierAtMost() {
        GraphBuilder b = new GraphBuilder("hand-built", Shape.of(4));
        int x = b.add("fc1", Linear.of("fc1", 4, 4), b.input());
        x = b.add("relu", new ReLU(), x);
        b.add("fc2", NodeRole.CLASSIFIER, Linear.of("fc2", 4, 2), x);
        assertThrows(IllegalStateException.class, () -> b.add("fc3", NodeRole.CLASSIFIER, Linear.of("fc3", 2, 2), 3));
        Graph g = b.build();
        assertEquals(NodeRole.OTHER, g.node("fc1").role());
        assertEquals(Node.NO_BLOCK, g.node("fc1").block());
        assertEquals("fc2", g.classifier().name());
        assertThrows(IllegalArgumentException.class,
                () -> new Node(1, "bad", new ReLU(), java.util.List.of(0), Shape.of(4), NodeRole.OTHER, -2));
    }
}
