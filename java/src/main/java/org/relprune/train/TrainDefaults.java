package org.relprune.train;

import org.relprune.backend.OptimizerSpec;
import org.relprune.model.Graph;
import org.relprune.model.Node;
import org.relprune.model.layers.AttentionCore;
import org.relprune.model.layers.BatchNorm2d;

/**
 * Training settings that give a good model without tuning, chosen by what the graph contains:
 * transformers train with Adam (lr 1e-3, weight decay 1e-4, cosine), BatchNorm networks with SGD
 * (lr 0.05, momentum 0.9, weight decay 5e-4, cosine), small plain networks (LeNet) with Adam
 * (lr 1e-3, cosine, 15 epochs). The default seed is 0.
 */
public final class TrainDefaults {
    private TrainDefaults() {
    }

    public static TrainConfig forGraph(Graph graph) {
        boolean attention = false;
        boolean batchNorm = false;
        for (Node n : graph.nodes()) {
            attention |= n.layer() instanceof AttentionCore;
            batchNorm |= n.layer() instanceof BatchNorm2d;
        }
        if (attention) {
            return new TrainConfig(30, 128, new OptimizerSpec(OptimizerSpec.Kind.ADAM, 1e-3, 0, 1e-4, false),
                    LearningRateSchedule.parse("cosine"), 0);
        }
        if (batchNorm) {
            return new TrainConfig(15, 128, new OptimizerSpec(OptimizerSpec.Kind.SGD, 0.05, 0.9, 5e-4, false),
                    LearningRateSchedule.parse("cosine"), 0);
        }
        return new TrainConfig(15, 64, new OptimizerSpec(OptimizerSpec.Kind.ADAM, 1e-3, 0, 0, false),
                LearningRateSchedule.parse("cosine"), 0);
    }
}
