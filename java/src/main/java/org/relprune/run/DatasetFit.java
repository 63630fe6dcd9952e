package org.relprune.run;

import org.relprune.io.data.ImageDataset;
import org.relprune.model.Graph;

/** Whether a dataset's images and classes fit a model, checked before any work. */
public final class DatasetFit {
    private DatasetFit() {
    }

    public static void check(Graph graph, ImageDataset d) {
        if (!d.sampleShape().equals(graph.inputShape())) {
            throw new IllegalArgumentException("images of " + d.source() + " are " + d.sampleShape() + " but " + graph.name()
                    + " expects " + graph.inputShape() + " (set \"input\" in the architecture config)");
        }
        long classes = graph.output().shape().dim(-1);
        if (d.numClasses() > classes) {
            throw new IllegalArgumentException(d.source() + " has " + d.numClasses() + " classes but " + graph.name() + " outputs "
                    + classes + " (set \"num_classes\")");
        }
    }
}
