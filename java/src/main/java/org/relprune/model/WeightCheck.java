package org.relprune.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.relprune.tensor.HostTensor;

/**
 * Compares a set of named tensors with what a graph expects: every missing, unexpected or
 * wrongly shaped tensor is named, with both shapes.
 */
public final class WeightCheck {
    private static final int MAX_LISTED = 8;

    private WeightCheck() {
    }

    /** Throws {@link WeightMismatchException} listing every problem; {@code source} names the file. */
    public static void check(Graph graph, Map<String, HostTensor> weights, String source) {
        List<String> problems = new ArrayList<>();
        for (ParamSpec spec : graph.params().values()) {
            HostTensor t = weights.get(spec.name());
            if (t == null) {
                if (spec.kind() != ParamSpec.Kind.OPTIONAL_BUFFER) {
                    problems.add("missing tensor '" + spec.name() + "' (expected shape " + spec.shape() + ")");
                }
            } else if (!t.shape().equals(spec.shape()) && spec.kind() != ParamSpec.Kind.OPTIONAL_BUFFER) {
                problems.add("tensor '" + spec.name() + "' has shape " + t.shape() + " but " + graph.name() + " expects " + spec.shape());
            }
        }
        for (String name : weights.keySet()) {
            if (!graph.params().containsKey(name)) {
                problems.add("unexpected tensor '" + name + "' " + weights.get(name).shape() + " (not part of " + graph.name() + ")");
            }
        }
        if (!problems.isEmpty()) {
            StringBuilder sb = new StringBuilder(source + " does not fit " + graph.name() + ": ");
            for (int i = 0; i < Math.min(MAX_LISTED, problems.size()); i++) {
                sb.append(i == 0 ? "" : "; ").append(problems.get(i));
            }
            if (problems.size() > MAX_LISTED) {
                sb.append("; and ").append(problems.size() - MAX_LISTED).append(" more");
            }
            throw new WeightMismatchException(sb.toString());
        }
    }
}
