package org.relprune.lrp.composite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The documented PXP split: ceil(n/4) low, ceil(n/4) high without overlap, the rest mid. */
class LayerGroupsTest {
    private static List<String> layers(int n) {
        return IntStream.range(0, n).mapToObj(i -> "l" + i).collect(Collectors.toList());
    }

    /** One letter per layer before the classifier: L, M, H. */
    private static String pattern(Map<String, LayerGroup> groups) {
        return groups.entrySet().stream().filter(e -> !e.getKey().equals("head"))
                .map(e -> e.getValue().name().substring(0, 1)).collect(Collectors.joining());
    }

    @ParameterizedTest(name = "n={0}")
    @CsvSource({
        "1, L", "2, LH", "3, LMH", "4, LMMH", "5, LLMHH", "6, LLMMHH", "7, LLMMMHH", "8, LLMMMMHH", "9, LLLMMMHHH",
        "20, LLLLLMMMMMMMMMMHHHHH"})
    void assignmentsForNLayers(int n, String expected) {
        Map<String, LayerGroup> g = LayerGroups.assign(layers(n), "head");
        assertEquals(expected, pattern(g));
        assertEquals(n + 1, g.size());
        assertEquals(LayerGroup.FC, g.get("head"));
        // model order kept, classifier last
        List<String> order = new ArrayList<>(layers(n));
        order.add("head");
        assertEquals(order, new ArrayList<>(g.keySet()));
    }

    @Test
    void classifierMayBeListedLast() {
        List<String> withHead = new ArrayList<>(layers(4));
        withHead.add("head");
        assertEquals(LayerGroups.assign(layers(4), "head"), LayerGroups.assign(withHead, "head"));
    }

    @Test
    void vgg16ThirteenConvsAndTwoHiddenLinears() {
        // n = 15: ceil(15/4) = 4 low, 4 high, 7 mid; fc8 the classifier
        Map<String, LayerGroup> g = LayerGroups.assign(layers(15), "head");
        assertEquals("LLLLMMMMMMMHHHH", pattern(g));
    }

    @Test
    void onlyAClassifier() {
        Map<String, LayerGroup> g = LayerGroups.assign(List.of(), "fc");
        assertEquals(Map.of("fc", LayerGroup.FC), g);
    }

    @Test
    void classifierInTheMiddleIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LayerGroups.assign(List.of("a", "head", "b"), "head"));
        assertTrue(e.getMessage().contains("must be the last"), e.getMessage());
    }

    @Test
    void duplicatesAndBlanksAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> LayerGroups.assign(List.of("a", "a"), "head"));
        assertThrows(IllegalArgumentException.class, () -> LayerGroups.assign(List.of("a", " "), "head"));
        assertThrows(IllegalArgumentException.class, () -> LayerGroups.assign(List.of("a"), ""));
    }

    /**
     * A ViT's linear layers with their block indices, in model order: the patch embedding (no
     * block, -1), then in_proj, out_proj, mlp.0, mlp.3 of each block.
     */
    private static Map<String, Integer> vitLayers(int blocks) {
        Map<String, Integer> l = new LinkedHashMap<>();
        l.put("conv_proj", -1);
        for (int b = 0; b < blocks; b++) {
            for (String part : List.of("self_attention.in_proj", "self_attention.out_proj", "mlp.0", "mlp.3")) {
                l.put("encoder.layers.encoder_layer_" + b + "." + part, b);
            }
        }
        return l;
    }

    @ParameterizedTest(name = "{0} blocks")
    @CsvSource({"1, LLLLL", "2, LLLLLHHHH", "4, LLLLLMMMMMMMMHHHH", "12, LLLLLLLLLLLLLMMMMMMMMMMMMMMMMMMMMMMMMHHHHHHHHHHHH"})
    void transformersAreGroupedByWholeBlocks(int blocks, String expected) {
        Map<String, Integer> layers = vitLayers(blocks);
        Map<String, LayerGroup> g = LayerGroups.assignByBlocks(new ArrayList<>(layers.keySet()), "head", layers::get);
        assertEquals(expected, pattern(g));
        assertEquals(LayerGroup.FC, g.get("head"));
        assertEquals(LayerGroup.LOW, g.get("conv_proj"), "the patch embedding is low");
    }

    @Test
    void blocksOutOfOrderAreRejectedAndNoBlocksFallBackToTheLayerSplit() {
        Map<String, Integer> blocks = Map.of("encoder.layers.encoder_layer_1.mlp.0", 1, "encoder.layers.encoder_layer_0.mlp.0", 0);
        List<String> swapped = List.of("encoder.layers.encoder_layer_1.mlp.0", "encoder.layers.encoder_layer_0.mlp.0");
        assertThrows(IllegalArgumentException.class, () -> LayerGroups.assignByBlocks(swapped, "head", blocks::get));
        assertEquals(LayerGroups.assign(layers(9), "head"), LayerGroups.assignByBlocks(layers(9), "head", name -> -1));
    }
}
