package org.relprune.model.zoo;

import com.google.gson.JsonObject;
import java.util.Map;
import java.util.Set;
import org.relprune.backend.Pool2dSpec;
import org.relprune.model.Graph;
import org.relprune.model.GraphBuilder;
import org.relprune.model.NodeRole;
import org.relprune.model.layers.AdaptiveAvgPool2d;
import org.relprune.model.layers.BatchNorm2d;
import org.relprune.model.layers.Conv2d;
import org.relprune.model.layers.Flatten;
import org.relprune.model.layers.Linear;
import org.relprune.model.layers.MaxPool2d;
import org.relprune.model.layers.ReLU;
import org.relprune.tensor.Shape;

/**
 * torchvision.models.VGG: "features" (3x3 convs with bias, optional BatchNorm, ReLU, 2x2 max
 * pools; node names are the Sequential indices), avgpool to 7x7, "classifier" (Linear-ReLU-
 * Dropout twice, then the output Linear at index 6; dropout is the identity at inference and
 * has no node). Small-input adaptations (not in torchvision, defaults reproduce it): {@code width}
 * scales every conv width by width/64, {@code classifier_width} replaces 4096, {@code avgpool}
 * the 7x7 pooled size, and {@code max_pools} keeps only the first k of the five max pools (a
 * 28x28 image survives four).
 */
final class VggBuilder {
    static final String FAMILY = "torchvision.VGG";
    private static final int M = -1;
    private static final Map<String, int[]> CONFIGS = Map.of(
            "A", new int[] {64, M, 128, M, 256, 256, M, 512, 512, M, 512, 512, M},
            "B", new int[] {64, 64, M, 128, 128, M, 256, 256, M, 512, 512, M, 512, 512, M},
            "D", new int[] {64, 64, M, 128, 128, M, 256, 256, 256, M, 512, 512, 512, M, 512, 512, 512, M},
            "E", new int[] {64, 64, M, 128, 128, M, 256, 256, 256, 256, M, 512, 512, 512, 512, M, 512, 512, 512, 512, M});

    private VggBuilder() {
    }

    static Graph build(String name, JsonObject json) {
        ConfigFields f = new ConfigFields(json, FAMILY,
                Set.of("config", "batch_norm", "num_classes", "width", "classifier_width", "avgpool", "max_pools"));
        String config = f.string("config", null);
        int[] cfg = CONFIGS.get(config);
        if (cfg == null) {
            throw new ArchitectureException("architecture config: VGG config must be A, B, D or E, got '" + config + "'");
        }
        boolean bn = f.bool("batch_norm", false);
        int classes = f.integer("num_classes", 1000);
        Shape input = f.input(Shape.of(3, 224, 224));
        int width = f.integer("width", 64);
        int hidden = f.integer("classifier_width", 4096);
        int pooled = f.integer("avgpool", 7);
        int maxPools = f.has("max_pools") ? f.integer("max_pools", null) : 5;
        if (maxPools > 5) {
            throw new ArchitectureException("architecture config: max_pools must be at most 5, got " + maxPools);
        }

        GraphBuilder g = new GraphBuilder(name, input);
        int x = g.input();
        int index = 0;
        int channels = (int) input.dim(0);
        int pools = 0;
        for (int v0 : cfg) {
            if (v0 == M) {
                if (pools++ < maxPools) {
                    x = g.add("features." + index++, new MaxPool2d(Pool2dSpec.of(2, 2, 0)), x);
                }
                continue;
            }
            int v = v0 * width / 64;
            String conv = "features." + index++;
            x = g.add(conv, Conv2d.of(conv, channels, v, 3, 1, 1, true), x);
            if (bn) {
                String b = "features." + index++;
                x = g.add(b, new BatchNorm2d(v, BatchNorm2d.DEFAULT_EPS, b), x);
            }
            x = g.add("features." + index++, new ReLU(), x);
            channels = v;
        }
        x = g.add("avgpool", new AdaptiveAvgPool2d(pooled, pooled), x);
        x = g.add("flatten", new Flatten(), x);
        x = g.add("classifier.0", Linear.of("classifier.0", channels * pooled * pooled, hidden), x);
        x = g.add("classifier.1", new ReLU(), x);
        x = g.add("classifier.3", Linear.of("classifier.3", hidden, hidden), x);
        x = g.add("classifier.4", new ReLU(), x);
        g.add("classifier.6", NodeRole.CLASSIFIER, Linear.of("classifier.6", hidden, classes), x);
        return g.build();
    }
}
