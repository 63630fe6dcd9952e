package org.relprune.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
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
import org.relprune.model.zoo.ModelZoo;
import org.relprune.run.Backends;
import org.relprune.run.OutputLocation;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.TensorScope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Explains inputs with LRP and writes the relevance tensors. */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = {"Explain inputs with LRP. Writes relevance/input [B,C,H,W] and, per convolution, "
                + "relevance/channels/<conv> [B,C] (relevance at the conv output, BatchNorm folded, summed over space); "
                + "for ViTs relevance/neurons/<mlp.0> and neurons_abs [B,N] (summed over tokens, of |R| per token) and "
                + "relevance/heads/<attention> and heads_abs [B,H] (summed over queries, of |.| per query).",
                "Composites: a preset (epsilon_gamma_box, epsilon_plus, epsilon_alpha2_beta1, epsilon, epsilon_plus_flat, ...) "
                        + "or a spec string such as first=zbox:-3:3,conv=gamma:0.25,linear=epsilon:1e-6 (docs/composites.md).",
                "Writes --out O.safetensors. --device: cpu by default. --batch: inputs explained together (32 by default), halved and "
                        + "retried when the device runs out of memory."})
final class ExplainCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin CommonOptions.TrainedModel model;
    @Mixin CommonOptions.Device device;
    @Mixin CommonOptions.Batch batch;
    @Mixin CommonOptions.Out out;
    @Mixin CommonOptions.Force force;

    @Option(names = "--input", required = true, paramLabel = "F.safetensors:KEY") String input;

    @Option(names = "--target", defaultValue = "argmax", paramLabel = "F.safetensors:KEY|argmax",
            description = "Class per sample whose logit is explained (default: ${DEFAULT-VALUE}, the predicted class).")
    String target;

    @Option(names = "--composite", required = true, paramLabel = "C") String composite;

    @Option(names = "--heatmap", paramLabel = "DIR", description = "Also write DIR/<i>.png: each input beside its relevance (red positive, blue negative).")
    Path heatmap;

    @Override
    public Integer call() throws Exception {
        OutputLocation.file(out.out, "--out", force.force);
        int b = batch.positive(32);
        Graph graph = ModelZoo.resolve(model.arch());
        Composite c = Composites.named(composite);
        Map<String, HostTensor> w = WeightFiles.read(model.weights);
        HostTensor x = TensorRef.parse(input).read();
        int n = (int) x.shape().dim(0);
        HostTensor given = target.equals("argmax") ? null : TensorRef.parse(target).read();
        if (given != null && given.data().length != n) {
            throw new IllegalArgumentException("--target " + target + " holds " + given.data().length + " values for " + n + " inputs");
        }
        java.io.PrintStream log = new java.io.PrintStream(System.err, true);
        try (Backend backend = Backends.open(device.or("cpu"), log);
             Model loaded = Model.load(graph, w, backend)) {
            BatchSplitter splitter = new BatchSplitter("explain " + input, b, log::println);
            List<Explained> parts = splitter.map(n, (from, to) -> {
                try (TensorScope scope = TensorScope.open();
                     Attributor attributor = new Attributor(loaded, backend.upload(x.rows(from, to)))) {
                    int[] targets = targets(attributor.logits(), given, from, to);
                    return new Explained(attributor.explain(c, targets), targets);
                }
            });
            Attribution a = Attribution.concatRows(parts.stream().map(Explained::relevance).toList());
            NonFiniteWarning.relevance(spec.commandLine().getErr(), a.input());
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
            if (heatmap != null) {
                org.relprune.report.Heatmaps.write(heatmap, x, a.input());
            }
            SafetensorsWriter.write(out.out, result, Map.of("architecture", graph.name(), "composite", c.spec(), "device", backend.description()));
        }
        return 0;
    }

    private record Explained(Attribution relevance, int[] targets) {
    }

    /** Targets of samples [from, to): the predicted class, or the values given by --target (checked against the classes). */
    private int[] targets(HostTensor logits, HostTensor given, int from, int to) {
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
