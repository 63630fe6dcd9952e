package org.relprune.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.relprune.backend.cpu.CpuBackend;
import org.relprune.io.AtomicFileWrite;
import org.relprune.io.WeightFiles;
import org.relprune.io.onnx.OnnxExport;
import org.relprune.io.safetensors.SafetensorsWriter;
import org.relprune.model.ForwardPass;
import org.relprune.model.Graph;
import org.relprune.model.Model;
import org.relprune.model.train.Checkpoint;
import org.relprune.model.zoo.ModelZoo;
import org.relprune.prune.ChannelSpaces;
import org.relprune.prune.Compaction;
import org.relprune.prune.ComponentKind;
import org.relprune.prune.Components;
import org.relprune.prune.PrunableLayer;
import org.relprune.prune.PruningPlan;
import org.relprune.prune.Rates;
import org.relprune.report.Provenance;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Shape;
import org.relprune.tensor.TensorScope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Removes the channels a coupled pruning run prunes at one rate and writes the smaller model. */
@Command(name = "compact", mixinStandardHelpOptions = true,
        description = {"Physically remove the channels that a 'prune --grouping coupled' run (DIR) prunes at rate R, respecting the "
                + "coupled groups, and write M.safetensors and M.json (an architecture config the zoo loads, family relprune.Pruned, "
                + "with the new widths; also the model's split and normalization, so 'eval --arch M.json --weights M.safetensors' works) "
                + "and M.onnx (opset 17). Conv channels need a 'prune --grouping coupled' run; ViT neurons, heads and hidden linear neurons any run.",
                "Prints parameters, FLOPs and CPU latency (batch 1) before and after as JSON."})
final class CompactCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--from", required = true, paramLabel = "DIR", description = "Output folder of 'relprune prune --grouping coupled'.")
    Path from;

    @Option(names = "--rate", required = true, paramLabel = "R", description = "Pruning rate in [0, 1), e.g. 0.3.") String rate;

    @Option(names = "--out", required = true, paramLabel = "M", description = "Output path prefix: writes M.safetensors, M.json and M.onnx.")
    String out;

    @Option(names = "--latency-runs", defaultValue = "20", paramLabel = "N", description = "Timed forward passes per model (default: ${DEFAULT-VALUE}).")
    int latencyRuns;

    @Option(names = "--force", description = "Replace existing M.safetensors / M.json / M.onnx.") boolean force;

    @Override
    public Integer call() throws Exception {
        Path curveFile = from.resolve("curve.json");
        Path scoresFile = from.resolve("scores.json");
        for (Path p : List.of(curveFile, scoresFile)) {
            if (!Files.isRegularFile(p)) {
                throw new NoSuchFileException(p.toString(), null, "not a pruning run (run 'relprune prune --grouping coupled --out " + from + "' first)");
            }
        }
        JsonObject curve = JsonParser.parseString(Files.readString(curveFile)).getAsJsonObject();
        ComponentKind kind = ComponentKind.parse(curve.get("components").getAsString());
        boolean coupled = curve.has("grouping") && curve.get("grouping").getAsString().equals("coupled");
        if (kind == ComponentKind.CHANNELS && !coupled) {
            throw new IllegalArgumentException(from + " is an independent run: compaction needs coupled channel groups "
                    + "(rerun prune with --grouping coupled)");
        }
        Rates r = Rates.parse("0," + rate);
        Path weightsOut = Path.of(out + ".safetensors");
        Path jsonOut = Path.of(out + ".json");
        if (!force && (Files.exists(weightsOut) || Files.exists(jsonOut) || Files.exists(Path.of(out + ".onnx")))) {
            throw new IllegalArgumentException("M.safetensors, M.json or M.onnx exists for M = " + out + "; pass --force to replace them");
        }
        JsonObject prov = curve.getAsJsonObject("provenance");
        String arch = prov.get("arch").getAsString();
        Path weights = Path.of(prov.get("weights").getAsString());
        Graph g = ModelZoo.resolve(arch);
        JsonObject base = ModelZoo.resolveConfig(arch);
        List<PrunableLayer> layers = Components.of(g, kind);
        JsonArray saved = JsonParser.parseString(Files.readString(scoresFile)).getAsJsonObject().getAsJsonArray("layers");
        if (saved.size() != layers.size()) {
            throw new IllegalArgumentException(scoresFile + " holds scores of " + saved.size() + " layers but " + g.name() + " has " + layers.size());
        }
        List<double[]> scores = new ArrayList<>();
        for (int l = 0; l < layers.size(); l++) {
            JsonObject e = saved.get(l).getAsJsonObject();
            if (!e.get("layer").getAsString().equals(layers.get(l).layer())) {
                throw new IllegalArgumentException(scoresFile + ": layer " + l + " is " + e.get("layer").getAsString() + ", expected " + layers.get(l).layer());
            }
            JsonArray a = e.getAsJsonArray("scores");
            double[] v = new double[a.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = a.get(i).getAsDouble();
            }
            scores.add(v);
        }
        boolean global = curve.get("ranking").getAsString().equals("global");
        boolean normalize = curve.has("normalize") && curve.get("normalize").getAsBoolean();
        PruningPlan plan;
        if (coupled) {
            PruningPlan.Reduction reduction = PruningPlan.Reduction.valueOf(curve.get("reduction").getAsString().toUpperCase(java.util.Locale.ROOT));
            plan = PruningPlan.coupled(layers, scores, ChannelSpaces.of(g).groups(layers), reduction, r, global, normalize);
        } else {
            plan = PruningPlan.build(layers, scores, r, global, normalize);
        }
        Map<String, HostTensor> w = WeightFiles.read(weights);
        Compaction.Result small = Compaction.compact(g, base, w, plan, 1);
        Graph pg = ModelZoo.build(small.architecture(), g.name() + "_pruned");
        JsonObject report = new JsonObject();
        report.addProperty("rate", rate);
        report.addProperty("pruned_components", plan.pruned(1));
        report.addProperty("total_components", plan.total());
        report.addProperty("components", kind.option());
        try (CpuBackend backend = new CpuBackend(); Model full = Model.load(g, w, backend); Model pruned = Model.load(pg, small.weights(), backend)) {
            report.add("before", figures(g, full, backend));
            report.add("after", figures(pg, pruned, backend));
        }
        JsonObject sidecar = new JsonObject();
        sidecar.add("architecture", small.architecture());
        sidecar.addProperty("architecture_name", pg.name());
        JsonObject original = Checkpoint.sidecarOf(weights);
        if (original != null) {
            for (String k : new String[] {"data", "split", "normalization"}) {
                if (original.has(k)) {
                    sidecar.add(k, original.get(k));
                }
            }
        }
        sidecar.add("compaction", report);
        JsonObject p = new JsonObject();
        p.addProperty("from", from.toString());
        p.addProperty("criterion", curve.get("criterion").getAsString());
        p.addProperty("weights", weights.toString());
        p.addProperty("date", Instant.now().toString());
        p.add("versions", Provenance.versions());
        sidecar.add("provenance", p);
        if (weightsOut.toAbsolutePath().getParent() != null) {
            Files.createDirectories(weightsOut.toAbsolutePath().getParent());
        }
        SafetensorsWriter.write(weightsOut, small.weights(), Map.of("architecture", pg.name()));
        Path onnxOut = Path.of(out + ".onnx");
        OnnxExport.write(onnxOut, pg, small.weights(), Provenance.versions().get("relprune").getAsString());
        AtomicFileWrite.writeString(jsonOut, new GsonBuilder().setPrettyPrinting().create().toJson(sidecar) + "\n");
        spec.commandLine().getOut().println(new GsonBuilder().setPrettyPrinting().create().toJson(report));
        spec.commandLine().getErr().println("wrote " + weightsOut + ", " + jsonOut + " and " + onnxOut);
        return 0;
    }

    /** Parameters (trainable), FLOPs (2 x MACs) per image and the median CPU latency of a batch-1 forward pass. */
    private JsonObject figures(Graph g, Model m, CpuBackend backend) {
        JsonObject o = new JsonObject();
        o.addProperty("parameters", g.parameterCount());
        o.addProperty("flops", 2 * g.macs());
        long[] dims = new long[g.inputShape().rank() + 1];
        dims[0] = 1;
        System.arraycopy(g.inputShape().dims(), 0, dims, 1, g.inputShape().rank());
        Shape s = Shape.of(dims);
        HostTensor x = new HostTensor(s, new float[s.numelInt()]);
        double[] ms = new double[Math.max(1, latencyRuns)];
        for (int i = -3; i < ms.length; i++) {
            long t0 = System.nanoTime();
            try (TensorScope scope = TensorScope.open()) {
                ForwardPass.run(g, m, backend, backend.upload(x));
            }
            if (i >= 0) {
                ms[i] = (System.nanoTime() - t0) / 1e6;
            }
        }
        Arrays.sort(ms);
        o.addProperty("cpu_latency_ms_batch1", ms[ms.length / 2]);
        return o;
    }
}
