package org.relprune.model;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.relprune.model.layers.BatchNorm2d;
import org.relprune.model.layers.LayerNorm;
import org.relprune.tensor.HostTensor;

/**
 * Deterministic random weights for any graph, for tests and benchmarks. Each tensor draws from
 * its own stream seeded by (seed, tensor name), so the values do not depend on the order of
 * generation or on the JVM: the same seed gives bit-identical weights on every machine.
 * Conv/linear weights ~ N(0, 2/fan_in) (Kaiming normal), biases ~ U(-0.1, 0.1), BatchNorm
 * weight ~ U(0.5, 1.5), bias and running_mean ~ N(0, 0.1^2), running_var ~ U(0.5, 1.5),
 * class token and position embedding ~ N(0, 0.02^2).
 */
public final class RandomWeights {
    private RandomWeights() {
    }

    public static Map<String, HostTensor> generate(Graph graph, long seed) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (Node node : graph.nodes()) {
            boolean norm = node.layer() instanceof BatchNorm2d || node.layer() instanceof LayerNorm;
            for (ParamSpec spec : node.layer().params()) {
                if (spec.kind() != ParamSpec.Kind.OPTIONAL_BUFFER) {
                    out.put(spec.name(), tensor(spec, norm, seed));
                }
            }
        }
        return out;
    }

    static HostTensor tensor(ParamSpec spec, boolean norm, long seed) {
        SplittableRandom rng = new SplittableRandom(seed ^ fnv(spec.name()));
        float[] v = new float[spec.shape().numelInt()];
        String n = spec.name();
        long[] d = spec.shape().dims();
        for (int i = 0; i < v.length; i++) {
            double x;
            if (n.endsWith("running_var")) {
                x = 0.5 + rng.nextDouble();
            } else if (n.endsWith("running_mean")) {
                x = 0.1 * gaussian(rng);
            } else if (norm && n.endsWith(".weight")) {
                x = 0.5 + rng.nextDouble();
            } else if (norm && n.endsWith(".bias")) {
                x = 0.1 * gaussian(rng);
            } else if (n.equals("class_token") || n.endsWith("pos_embedding")) {
                x = 0.02 * gaussian(rng);
            } else if (d.length >= 2) {
                long fanIn = spec.shape().numelFrom(1);
                x = gaussian(rng) * Math.sqrt(2.0 / fanIn);
            } else {
                x = rng.nextDouble(-0.1, 0.1);
            }
            v[i] = (float) x;
        }
        return new HostTensor(spec.shape(), v);
    }

    private static double gaussian(SplittableRandom rng) {
        // Box-Muller from two uniforms: SplittableRandom has no nextGaussian on Java 17.
        double u1 = 1.0 - rng.nextDouble();
        double u2 = rng.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    private static long fnv(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b;
            h *= 0x100000001b3L;
        }
        return h;
    }
}
