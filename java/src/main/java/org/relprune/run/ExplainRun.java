package org.relprune.run;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.relprune.backend.Backend;
import org.relprune.backend.BatchSplitter;
import org.relprune.io.TensorRef;
import org.relprune.io.WeightFiles;
import org.relprune.io.safetensors.SafetensorsWriter;
import org.relprune.lrp.Attribution;
import org.relprune.lrp.Attributor;
import org.relprune.lrp.composite.Composite;
import org.relprune.lrp.composite.Composites;
import org.relprune.model.Graph;
import org.relprune.model.Model;
import org.relprune.model.Predictions;
import org.relprune.model.zoo.ModelZoo;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.TensorScope;

/**
 * Explaining as a library call: LRP relevance of inputs (a {@code FILE.safetensors:KEY}
 * reference) for the predicted or given classes, written as relevance tensors, optionally with
 * heatmaps.
 */
public final class ExplainRun {
    private ExplainRun() {
    }

    /**
     * What an explanation takes.
     *
     * @param target  {@code argmax} (the predicted class) or a {@code FILE.safetensors:KEY} of one class per input
     * @param output  where the tensors (and heatmaps) go
     */
    public record Settings(String arch, Path weights, String input, String target, String composite, String device, int batch, Output output) {
        public static final String DEFAULT_DEVICE = "cpu";
        public static final int DEFAULT_BATCH = 32;

        public Settings {
            Objects.requireNonNull(arch, "--arch is required");
            Objects.requireNonNull(weights, "--weights is required");
            Objects.requireNonNull(input, "--input is required");
            Objects.requireNonNull(composite, "--composite is required");
            Objects.requireNonNull(output, "--out is required");
            if (batch < 1) {
                throw new IllegalArgumentException("--batch must be at least 1, got " + batch);
            }
        }
    }

    /** The relevance file, a folder of heatmaps (or null), and whether an existing file may be replaced. */
    public record Output(Path file, Path heatmaps, boolean force) {
        public Output {
            Objects.requireNonNull(file, "--out is required");
        }
    }

    /** The tensors written, and how many inputs got relevance that is not finite. */
    public record Result(Map<String, HostTensor> tensors, int inputs, int nonFiniteInputs) {
    }

    public static Result run(Settings s, PrintStream log) throws Exception {
        OutputLocation.file(s.output().file(), "--out", s.output().force());
        Graph graph = ModelZoo.resolve(s.arch());
        Composite c = Composites.named(s.composite());
        Map<String, HostTensor> w = WeightFiles.read(s.weights());
        HostTensor x = TensorRef.parse(s.input()).read();
        int n = (int) x.shape().dim(0);
        HostTensor given = s.target().equals("argmax") ? null : TensorRef.parse(s.target()).read();
        if (given != null && given.data().length != n) {
            throw new IllegalArgumentException("--target " + s.target() + " holds " + given.data().length + " values for " + n + " inputs");
        }
        MemoryEstimate.inference(graph, 3 * Math.min(s.batch(), Math.max(n, 1)), "explaining").check();
        try (Backend backend = Backends.open(s.device(), log);
             Model loaded = Model.load(graph, w, backend)) {
            BatchSplitter splitter = new BatchSplitter("explain " + s.input(), s.batch(), log::println);
            List<Explained> parts = splitter.map(n, (from, to) -> {
                try (TensorScope scope = TensorScope.open();
                     Attributor attributor = new Attributor(loaded, backend.upload(x.rows(from, to)))) {
                    int[] targets = targets(attributor.logits(), given, from, to, s.target());
                    return new Explained(attributor.explain(c, targets), targets);
                }
            });
            Attribution a = Attribution.concatRows(parts.stream().map(Explained::relevance).toList());
            Map<String, HostTensor> result = new LinkedHashMap<>();
            result.put("relevance/input", a.input());
            a.channels().forEach((k, v) -> result.put("relevance/channels/" + k, v));
            a.neurons().forEach((k, v) -> result.put("relevance/neurons/" + k, v));
            a.neuronsAbs().forEach((k, v) -> result.put("relevance/neurons_abs/" + k, v));
            a.heads().forEach((k, v) -> result.put("relevance/heads/" + k, v));
            a.headsAbs().forEach((k, v) -> result.put("relevance/heads_abs/" + k, v));
            float[] t = new float[n];
            int at = 0;
            for (Explained part : parts) {
                for (int target : part.targets()) {
                    t[at++] = target;
                }
            }
            result.put("target", HostTensor.of(t, t.length));
            if (s.output().heatmaps() != null) {
                org.relprune.report.Heatmaps.write(s.output().heatmaps(), x, a.input());
            }
            SafetensorsWriter.write(s.output().file(), result, Map.of("architecture", graph.name(), "composite", c.spec(),
                    "device", backend.description()));
            int bad = n == 0 ? 0 : Predictions.nonFiniteRows(a.input().data(), a.input().data().length / n);
            return new Result(result, n, bad);
        }
    }

    private record Explained(Attribution relevance, int[] targets) {
    }

    /** Targets of samples [from, to): the predicted class, or the values given by --target (checked against the classes). */
    private static int[] targets(HostTensor logits, HostTensor given, int from, int to, String target) {
        int classes = (int) logits.shape().dim(1);
        int[] t = new int[to - from];
        for (int i = 0; i < t.length; i++) {
            if (given == null) {
                int best = 0;
                for (int k = 1; k < classes; k++) {
                    if (logits.data()[i * classes + k] > logits.data()[i * classes + best]) {
                        best = k;
                    }
                }
                t[i] = best;
            } else {
                float v = given.data()[from + i];
                if (v != Math.rint(v) || v < 0 || v >= classes) {
                    throw new IllegalArgumentException("--target " + target + ": value " + v + " of sample " + (from + i)
                            + " is not a class in 0.." + (classes - 1));
                }
                t[i] = (int) v;
            }
        }
        return t;
    }
}
