package org.relprune.model.zoo;

import com.google.gson.JsonObject;
import java.util.Set;
import org.relprune.backend.Pool2dSpec;
import org.relprune.model.Graph;
import org.relprune.model.GraphBuilder;
import org.relprune.model.NodeRole;
import org.relprune.model.layers.AdaptiveAvgPool2d;
import org.relprune.model.layers.Add;
import org.relprune.model.layers.BatchNorm2d;
import org.relprune.model.layers.Conv2d;
import org.relprune.model.layers.Flatten;
import org.relprune.model.layers.Linear;
import org.relprune.model.layers.MaxPool2d;
import org.relprune.model.layers.ReLU;
import org.relprune.tensor.Shape;

/**
 * torchvision.models.ResNet (v1.5: the stride sits on the 3x3 conv of a Bottleneck) and the
 * CIFAR-style ResNet of He et al. (3x3 stem without max pool, three stages). Stage widths are
 * w, 2w, 4w, 8w (CIFAR: w, 2w, 4w); a block whose stride or width changes gets a
 * 1x1 conv + BatchNorm shortcut named downsample.0/.1 (CIFAR included: option B of the paper).
 * Node names follow torchvision's modules; the residual sum is "layerS.B.add" and the ReLUs are
 * "relu" (stem) and "layerS.B.relu1..3" (torchvision reuses one ReLU module per block).
 */
final class ResNetBuilder {
    static final String TORCHVISION = "torchvision.ResNet";
    static final String CIFAR = "cifar.ResNet";

    private ResNetBuilder() {
    }

    static Graph build(String name, JsonObject json, boolean cifar) {
        ConfigFields f = new ConfigFields(json, cifar ? CIFAR : TORCHVISION, Set.of("block", "layers", "width", "num_classes"));
        String block = f.string("block", cifar ? "BasicBlock" : null);
        boolean bottleneck = switch (block) {
            case "BasicBlock" -> false;
            case "Bottleneck" -> true;
            default -> throw new ArchitectureException("architecture config: block must be BasicBlock or Bottleneck, got '" + block + "'");
        };
        int[] layers = f.integers("layers", cifar ? 3 : 4, ConfigFields.MAX_DEPTH);
        int width = f.integer("width", cifar ? 16 : 64);
        int classes = f.integer("num_classes", cifar ? 10 : 1000);
        Shape input = f.input(cifar ? Shape.of(3, 32, 32) : Shape.of(3, 224, 224));
        int expansion = bottleneck ? 4 : 1;

        GraphBuilder g = new GraphBuilder(name, input);
        int x;
        int channels = (int) input.dim(0);
        if (cifar) {
            x = g.add("conv1", Conv2d.of("conv1", channels, width, 3, 1, 1, false), g.input());
        } else {
            x = g.add("conv1", Conv2d.of("conv1", channels, width, 7, 2, 3, false), g.input());
        }
        x = g.add("bn1", new BatchNorm2d(width, BatchNorm2d.DEFAULT_EPS, "bn1"), x);
        x = g.add("relu", new ReLU(), x);
        if (!cifar) {
            x = g.add("maxpool", new MaxPool2d(Pool2dSpec.of(3, 2, 1)), x);
        }
        int inplanes = width;
        for (int stage = 0; stage < layers.length; stage++) {
            int planes = width << stage;
            for (int b = 0; b < layers[stage]; b++) {
                int stride = (b == 0 && stage > 0) ? 2 : 1;
                String p = "layer" + (stage + 1) + "." + b;
                x = bottleneck ? bottleneck(g, p, x, inplanes, planes, stride) : basic(g, p, x, inplanes, planes, stride);
                inplanes = planes * expansion;
            }
        }
        x = g.add("avgpool", new AdaptiveAvgPool2d(1, 1), x);
        x = g.add("flatten", new Flatten(), x);
        g.add("fc", NodeRole.CLASSIFIER, Linear.of("fc", inplanes, classes), x);
        return g.build();
    }

    private static int convBn(GraphBuilder g, String conv, String bn, int x, int in, int out, int k, int stride) {
        int y = g.add(conv, Conv2d.of(conv, in, out, k, stride, k / 2, false), x);
        return g.add(bn, new BatchNorm2d(out, BatchNorm2d.DEFAULT_EPS, bn), y);
    }

    private static int shortcut(GraphBuilder g, String p, int x, int in, int out, int stride) {
        if (stride == 1 && in == out) {
            return x;
        }
        return convBn(g, p + ".downsample.0", p + ".downsample.1", x, in, out, 1, stride);
    }

    private static int basic(GraphBuilder g, String p, int x, int in, int planes, int stride) {
        int y = convBn(g, p + ".conv1", p + ".bn1", x, in, planes, 3, stride);
        y = g.add(p + ".relu1", new ReLU(), y);
        y = convBn(g, p + ".conv2", p + ".bn2", y, planes, planes, 3, 1);
        int s = shortcut(g, p, x, in, planes, stride);
        int sum = g.add(p + ".add", new Add(), y, s);
        return g.add(p + ".relu2", new ReLU(), sum);
    }

    private static int bottleneck(GraphBuilder g, String p, int x, int in, int planes, int stride) {
        int y = convBn(g, p + ".conv1", p + ".bn1", x, in, planes, 1, 1);
        y = g.add(p + ".relu1", new ReLU(), y);
        y = convBn(g, p + ".conv2", p + ".bn2", y, planes, planes, 3, stride);
        y = g.add(p + ".relu2", new ReLU(), y);
        y = convBn(g, p + ".conv3", p + ".bn3", y, planes, planes * 4, 1, 1);
        int s = shortcut(g, p, x, in, planes * 4, stride);
        int sum = g.add(p + ".add", new Add(), y, s);
        return g.add(p + ".relu3", new ReLU(), sum);
    }
}
