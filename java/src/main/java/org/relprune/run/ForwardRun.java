package org.relprune.run;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import org.relprune.backend.Backend;
import org.relprune.io.TensorRef;
import org.relprune.io.WeightFiles;
import org.relprune.io.safetensors.SafetensorsWriter;
import org.relprune.model.Graph;
import org.relprune.model.Model;
import org.relprune.model.Predictions;
import org.relprune.model.zoo.ModelZoo;
import org.relprune.tensor.HostTensor;

/** Inference as a library call: a model run on inputs from a {@code FILE.safetensors:KEY} reference, the logits written to a file. */
public final class ForwardRun {
    private ForwardRun() {
    }

    /** What a forward run takes: the model, the inputs, the device, images per pass, the output file and whether it may be replaced. */
    public record Settings(String arch, Path weights, String input, String device, int batch, Path out, boolean force) {
        public static final String DEFAULT_DEVICE = "auto";
        public static final int DEFAULT_BATCH = 64;

        public Settings {
            Objects.requireNonNull(arch, "--arch is required");
            Objects.requireNonNull(weights, "--weights is required");
            Objects.requireNonNull(input, "--input is required");
            Objects.requireNonNull(out, "--out is required");
            if (batch < 1) {
                throw new IllegalArgumentException("--batch must be at least 1, got " + batch);
            }
        }
    }

    /** The logits [n, classes] and how many rows hold a value that is not finite. */
    public record Result(HostTensor logits, int nonFiniteRows) {
    }

    public static Result run(Settings s, RunMonitor monitor) throws Exception {
        OutputLocation.file(s.out(), "--out", s.force());
        Graph graph = ModelZoo.resolve(s.arch());
        MemoryEstimate.inference(graph, s.batch(), "running").check();
        Map<String, HostTensor> w = WeightFiles.read(s.weights());
        HostTensor x = TensorRef.parse(s.input()).read();
        try (Backend backend = Backends.open(s.device(), new java.io.PrintStream(System.err, true));
             Model model = Model.load(graph, w, backend)) {
            HostTensor logits = Inference.logits(model, x, s.batch(), "forward", monitor);
            SafetensorsWriter.write(s.out(), Map.of("logits", logits), Map.of("architecture", graph.name(), "device", backend.description()));
            int n = (int) logits.shape().dim(0);
            return new Result(logits, n == 0 ? 0 : Predictions.nonFiniteRows(logits.data(), logits.data().length / n));
        }
    }
}
