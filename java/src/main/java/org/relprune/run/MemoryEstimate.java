package org.relprune.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.relprune.backend.OptimizerSpec;
import org.relprune.model.Graph;
import org.relprune.model.Node;
import org.relprune.model.ParamSpec;

/**
 * What a run will hold in memory, estimated from the graph before any data is read, and refused
 * when it cannot fit: a model too large for the machine should fail in a second with the numbers,
 * not after minutes with the kernel's OOM killer and no message. The estimate is a lower bound of
 * the large parts (float32 tensors), not of every buffer.
 *
 * @param weights     the parameters and buffers
 * @param gradients   one gradient per trainable parameter (training only)
 * @param optimizer   the optimizer's state (Adam: two moments; SGD with momentum: one)
 * @param activations the activations of one batch (training keeps each for the backward pass; its gradient doubles it)
 */
public record MemoryEstimate(String what, long weights, long gradients, long optimizer, long activations) {
    /** -Drelprune.memory=BYTES: the memory runs may use, instead of what the machine has available. */
    public static final String BUDGET_PROPERTY = "relprune.memory";

    /** Training {@code graph} with {@code optimizer} on batches of {@code batch}. */
    public static MemoryEstimate training(Graph graph, OptimizerSpec optimizer, int batch) {
        long trainable = graph.parameterCount();
        long states = switch (optimizer.kind()) {
            case ADAM -> 2;
            case SGD -> optimizer.momentum() != 0 ? 1 : 0;
        };
        return new MemoryEstimate("training " + graph.name(), 4 * tensors(graph), 4 * trainable, Math.multiplyExact(4 * trainable, states),
                Math.multiplyExact(2 * 4 * activationsPerImage(graph), (long) batch));
    }

    /** Running {@code graph} (scoring, evaluating) on batches of {@code batch}, with room for a folded and a gathered copy of its weights. */
    public static MemoryEstimate inference(Graph graph, int batch, String what) {
        return new MemoryEstimate(what + " " + graph.name(), 3 * 4 * tensors(graph), 0, 0, Math.multiplyExact(4 * activationsPerImage(graph), (long) batch));
    }

    public long total() {
        return Math.addExact(Math.addExact(weights, gradients), Math.addExact(optimizer, activations));
    }

    /** Refuses, naming the numbers, when the estimate exceeds the memory runs may use. */
    public void check() {
        long budget = budget();
        if (total() > budget) {
            StringBuilder parts = new StringBuilder("weights " + gb(weights));
            if (gradients > 0) {
                parts.append(", gradients ").append(gb(gradients));
            }
            if (optimizer > 0) {
                parts.append(", optimizer state ").append(gb(optimizer));
            }
            parts.append(", activations ").append(gb(activations));
            throw new IllegalArgumentException(what + " needs about " + gb(total()) + " (" + parts + ") but " + gb(budget)
                    + " of memory are available; make the model or the batch smaller");
        }
    }

    /** -Drelprune.memory if set, else the kernel's MemAvailable (free memory plus what the page cache can give back). */
    public static long budget() {
        String set = System.getProperty(BUDGET_PROPERTY);
        if (set != null) {
            try {
                return Long.parseLong(set.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("-D" + BUDGET_PROPERTY + "=" + set + ": expected a number of bytes");
            }
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux: the JVM's view below
        }
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getTotalMemorySize() : Long.MAX_VALUE;
    }

    /** Elements of every parameter and buffer. */
    private static long tensors(Graph graph) {
        long n = 0;
        for (ParamSpec p : graph.params().values()) {
            n = Math.addExact(n, p.shape().numel());
        }
        return n;
    }

    /** Elements of every node's output for one image (each kept until its last reader, at most all of them). */
    private static long activationsPerImage(Graph graph) {
        long n = 0;
        for (Node node : graph.nodes()) {
            n = Math.addExact(n, node.shape().numel());
        }
        return n;
    }

    private static String gb(long bytes) {
        return String.format(Locale.ROOT, "%.1f GB", bytes / 1e9);
    }
}
