package org.relprune.run;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.relprune.backend.Backend;
import org.relprune.export.OnnxExport;
import org.relprune.io.AtomicFileWrite;
import org.relprune.io.ContentHash;
import org.relprune.io.WeightFiles;
import org.relprune.io.safetensors.SafetensorsWriter;
import org.relprune.model.ForwardPass;
import org.relprune.model.Graph;
import org.relprune.model.Model;
import org.relprune.model.zoo.ModelZoo;
import org.relprune.prune.Compaction;
import org.relprune.prune.ComponentKind;
import org.relprune.prune.CurveResult;
import org.relprune.prune.PlanRecipe;
import org.relprune.prune.PrunableLayer;
import org.relprune.prune.PruningPlan;
import org.relprune.prune.Rates;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Shape;
import org.relprune.tensor.TensorScope;
import org.relprune.train.Checkpoint;

/**
 * Compaction as a library call: rebuild a pruning run's plan from its saved scores, remove the
 * components it prunes at one rate, and write the smaller model (M.safetensors, M.json with the
 * new architecture, M.onnx). Returns the before/after figures.
 */
public final class CompactRun {
    private CompactRun() {
    }

    /** The compacted model's files and the figures written into M.json's "compaction". */
    public record Result(JsonObject report, Path weights, Path sidecar, Path onnx) {
    }

    public static Result run(CompactSettings s) throws Exception {
        Path from = s.from();
        for (String f : List.of(CurveResult.CURVE, CurveResult.SCORES)) {
            if (!Files.isRegularFile(from.resolve(f))) {
                throw new NoSuchFileException(from.resolve(f).toString(), null,
                        "not a pruning run (run 'relprune prune --grouping coupled --out " + from + "' first)");
            }
        }
        CurveResult curve = CurveResult.read(from);
        ComponentKind kind = curve.selection().components();
        boolean coupled = curve.selection().coupled() != null;
        if (kind == ComponentKind.CHANNELS && !coupled) {
            throw new IllegalArgumentException(from + " is an independent run: compaction needs coupled channel groups "
                    + "(rerun prune with --grouping coupled)");
        }
        Rates r = Rates.parse("0," + s.rate());
        Path weightsOut = Path.of(s.out() + ".safetensors");
        Path jsonOut = Path.of(s.out() + ".json");
        Path onnxOut = Path.of(s.out() + ".onnx");
        if (!s.force() && (Files.exists(weightsOut) || Files.exists(jsonOut) || Files.exists(onnxOut))) {
            throw new IllegalArgumentException("M.safetensors, M.json or M.onnx exists for M = " + s.out() + "; pass --force to replace them");
        }
        for (Path p : List.of(weightsOut, jsonOut, onnxOut)) {
            OutputLocation.file(p, "--out", true);
        }
        String arch = curve.provenance().source().arch();
        Path weights = weightsOf(curve, from);
        Graph g = ModelZoo.resolve(arch);
        JsonObject base = ModelZoo.resolveConfig(arch);
        PlanRecipe recipe = curve.selection().recipe();
        List<PrunableLayer> layers = recipe.layers(g);
        PruningPlan plan = recipe.plan(g, layers, curve.scoresFor(layers, from), r);
        Map<String, HostTensor> w = WeightFiles.read(weights);
        Compaction.Result small = Compaction.compact(g, base, w, plan, 1);
        Graph pg = ModelZoo.build(small.architecture(), g.name() + "_pruned");
        JsonObject report = new JsonObject();
        report.addProperty("rate", s.rate());
        report.addProperty("pruned_components", plan.pruned(1));
        report.addProperty("total_components", plan.total());
        report.addProperty("components", kind.option());
        try (Backend backend = Backends.open("cpu", new java.io.PrintStream(System.err, true));
             Model full = Model.load(g, w, backend); Model pruned = Model.load(pg, small.weights(), backend)) {
            report.add("before", figures(g, full, backend, s.latencyRuns()));
            report.add("after", figures(pg, pruned, backend, s.latencyRuns()));
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
        p.addProperty("criterion", curve.method().criterion());
        p.addProperty("weights", weights.toString());
        p.addProperty("date", Instant.now().toString());
        p.add("versions", Provenance.versions());
        sidecar.add("provenance", p);
        if (weightsOut.toAbsolutePath().getParent() != null) {
            Files.createDirectories(weightsOut.toAbsolutePath().getParent());
        }
        SafetensorsWriter.write(weightsOut, small.weights(), Map.of("architecture", pg.name()));
        OnnxExport.write(onnxOut, pg, small.weights(), Provenance.versions().get("relprune").getAsString());
        AtomicFileWrite.writeString(jsonOut, new GsonBuilder().setPrettyPrinting().create().toJson(sidecar) + "\n");
        return new Result(report, weightsOut, jsonOut, onnxOut);
    }

    /**
     * The weights file the run pruned: its recorded absolute path, refused when the file there is
     * not the one the run read (sha256), and when an older run recorded a relative path (relative to
     * a working folder nobody knows now) without a hash.
     */
    static Path weightsOf(CurveResult curve, Path run) throws java.io.IOException {
        CurveResult.Source source = curve.provenance().source();
        Path weights = Path.of(source.weights());
        if (!weights.isAbsolute() && source.weightsSha256() == null) {
            throw new IllegalArgumentException(run.resolve(CurveResult.CURVE) + " records the weights as '" + weights + "', relative to the folder "
                    + "that run was started in, and without their hash (an older relprune): rerun prune so the run records them by content");
        }
        if (!Files.isRegularFile(weights)) {
            throw new java.nio.file.NoSuchFileException(weights.toString(), null, "the weights the run in " + run + " pruned are no longer there");
        }
        if (source.weightsSha256() != null) {
            String now = ContentHash.file(weights);
            if (!now.equals(source.weightsSha256())) {
                throw new IllegalArgumentException("the weights at " + weights + " changed since the run in " + run + " (sha256 "
                        + source.weightsSha256().substring(0, 12) + "... then, " + now.substring(0, 12) + "... now): its plan would prune another model");
            }
        }
        return weights;
    }

    /** Parameters (trainable), FLOPs (2 x MACs) per image and the median CPU latency of a batch-1 forward pass. */
    private static JsonObject figures(Graph g, Model m, Backend backend, int latencyRuns) {
        JsonObject o = new JsonObject();
        o.addProperty("parameters", g.parameterCount());
        o.addProperty("flops", 2 * g.macs());
        long[] dims = new long[g.inputShape().rank() + 1];
        dims[0] = 1;
        System.arraycopy(g.inputShape().dims(), 0, dims, 1, g.inputShape().rank());
        Shape shape = Shape.of(dims);
        HostTensor x = new HostTensor(shape, new float[shape.numelInt()]);
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
