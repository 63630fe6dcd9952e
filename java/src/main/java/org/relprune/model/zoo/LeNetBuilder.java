package org.relprune.model.zoo;

import com.google.gson.JsonObject;
import java.util.Set;
import org.relprune.backend.Pool2dSpec;
import org.relprune.model.Graph;
import org.relprune.model.GraphBuilder;
import org.relprune.model.NodeRole;
import org.relprune.model.layers.Conv2d;
import org.relprune.model.layers.Flatten;
import org.relprune.model.layers.Linear;
import org.relprune.model.layers.MaxPool2d;
import org.relprune.model.layers.ReLU;
import org.relprune.tensor.Shape;

/**
 * The LeNet family in its common modern form (ReLU, max pooling), default input [1, 28, 28]:
 * <ul>
 * <li>lenet5: conv1 (6 filters 5x5, padding 2), relu1, pool1 (2x2), conv2 (16 filters 5x5), relu2,
 * pool2 (2x2), flatten, fc1 (120), relu3, fc2 (84), relu4, fc3 (classes);</li>
 * <li>lenet300_100: flatten, fc1 (300), relu1, fc2 (100), relu2, fc3 (classes).</li>
 * </ul>
 * Parameters are named after these nodes (conv1.weight, fc3.bias, ...); fc3 is the classifier.
 */
final class LeNetBuilder {
    static final String LENET5 = "lenet5";
    static final String LENET300_100 = "lenet300_100";

    private LeNetBuilder() {
    }

    static Graph lenet5(String name, JsonObject json) {
        ConfigFields f = new ConfigFields(json, LENET5, Set.of("num_classes"));
        int classes = f.integer("num_classes", 10);
        Shape input = f.input(Shape.of(1, 28, 28));
        GraphBuilder g = new GraphBuilder(name, input);
        int x = g.add("conv1", Conv2d.of("conv1", (int) input.dim(0), 6, 5, 1, 2, true), g.input());
        x = g.add("relu1", new ReLU(), x);
        x = g.add("pool1", new MaxPool2d(Pool2dSpec.of(2, 2, 0)), x);
        x = g.add("conv2", Conv2d.of("conv2", 6, 16, 5, 1, 0, true), x);
        x = g.add("relu2", new ReLU(), x);
        x = g.add("pool2", new MaxPool2d(Pool2dSpec.of(2, 2, 0)), x);
        x = g.add("flatten", new Flatten(), x);
        x = g.add("fc1", Linear.of("fc1", (int) g.shape(x).dim(0), 120), x);
        x = g.add("relu3", new ReLU(), x);
        x = g.add("fc2", Linear.of("fc2", 120, 84), x);
        x = g.add("relu4", new ReLU(), x);
        g.add("fc3", NodeRole.CLASSIFIER, Linear.of("fc3", 84, classes), x);
        return g.build();
    }

    static Graph lenet300(String name, JsonObject json) {
        ConfigFields f = new ConfigFields(json, LENET300_100, Set.of("num_classes"));
        int classes = f.integer("num_classes", 10);
        Shape input = f.input(Shape.of(1, 28, 28));
        GraphBuilder g = new GraphBuilder(name, input);
        int x = g.add("flatten", new Flatten(), g.input());
        x = g.add("fc1", Linear.of("fc1", (int) input.numel(), 300), x);
        x = g.add("relu1", new ReLU(), x);
        x = g.add("fc2", Linear.of("fc2", 300, 100), x);
        x = g.add("relu2", new ReLU(), x);
        g.add("fc3", NodeRole.CLASSIFIER, Linear.of("fc3", 100, classes), x);
        return g.build();
    }
}
