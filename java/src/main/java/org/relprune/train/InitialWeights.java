package org.relprune.train;

import java.util.Arrays;
import java.util.Map;
import org.relprune.model.Graph;
import org.relprune.model.Node;
import org.relprune.model.RandomWeights;
import org.relprune.model.layers.BatchNorm2d;
import org.relprune.model.layers.LayerNorm;
import org.relprune.tensor.HostTensor;

/**
 * Weights a training run starts from (seeded): Kaiming-normal conv/linear weights from
 * {@link RandomWeights}, zero biases, BatchNorm and LayerNorm at identity (weight 1, bias 0,
 * running mean 0, running variance 1, as torch initializes them), class token 0 and
 * position embedding N(0, 0.02^2) as torchvision.
 */
public final class InitialWeights {
    private InitialWeights() {
    }

    public static Map<String, HostTensor> forTraining(Graph graph, long seed) {
        Map<String, HostTensor> w = RandomWeights.generate(graph, seed);
        for (Node n : graph.nodes()) {
            boolean norm = n.layer() instanceof BatchNorm2d || n.layer() instanceof LayerNorm;
            n.layer().params().forEach(p -> {
                HostTensor t = w.get(p.name());
                if (t == null) {
                    return;
                }
                String name = p.name();
                if (norm && (name.endsWith(".weight") || name.endsWith("running_var"))) {
                    Arrays.fill(t.data(), 1f);
                } else if (norm || name.endsWith("bias") || name.equals("class_token")) {
                    Arrays.fill(t.data(), 0f);
                }
            });
        }
        return w;
    }
}
