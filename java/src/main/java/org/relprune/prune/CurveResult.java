package org.relprune.prune;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.relprune.io.AtomicFileWrite;

/**
 * A pruning run's result as it is stored in its folder: DIR/curve.json (the method, how scores
 * became the plan, the test and validation curves, the reference set, the provenance) and
 * DIR/scores.json (the raw scores per layer, so that compaction rebuilds the same masks at any
 * rate). The one reader and writer of both files.
 *
 * @param validation null where the evaluation set had no validation split
 * @param scores     null when read from a folder without scores.json
 */
public record CurveResult(Method method, Selection selection, Evaluation evaluation, Curve test, Curve validation, Reference reference,
                          RunProvenance provenance, List<LayerScores> scores) {
    public static final String CURVE = "curve.json";
    public static final String SCORES = "scores.json";

    /** The criterion, its LRP composite (null for other criteria) and the settings that decide its scores. */
    public record Method(String criterion, String composite, JsonObject settings) {
        public Method {
            settings = settings.deepCopy();
        }

        @Override
        public JsonObject settings() {
            return settings.deepCopy();
        }

        /** "lrp (epsilon_plus)", "l1", "random". */
        public String label() {
            return composite != null ? criterion + " (" + composite + ")" : criterion;
        }
    }

    /** Which components, how many a rate counts, and the {@link PlanRecipe} as its options spell it. */
    public record Selection(ComponentKind components, int totalComponents, PruningPlan.Reduction coupled, boolean normalize, boolean globalRanking) {
        public PlanRecipe recipe() {
            return new PlanRecipe(components, globalRanking, normalize, coupled);
        }
    }

    /** The rates, the components each prunes, the split the test curve is on ("test", or "data" for a given evaluation set), a restricted task's class count. */
    public record Evaluation(String split, double[] rates, int[] pruned, Integer classes) {
    }

    /** Accuracy (fractions) per rate on {@code images} images, and its summary figures. */
    public record Curve(double[] accuracy, CurveMetrics metrics, int images) {
        public static Curve of(double[] rates, double[] accuracy, int images) {
            return new Curve(accuracy, CurveMetrics.of(rates, accuracy), images);
        }
    }

    /** The reference images: a file given explicitly, or {@code perClass} per class from the training split, drawn with {@code seed}. */
    public record Reference(String file, Integer perClass, int samples, long seed) {
    }

    /** What the run read, where it ran, when, how long each phase took, and the versions. */
    public record RunProvenance(Source source, String date, Timing timing, String backend, JsonObject versions) {
        public RunProvenance {
            versions = versions.deepCopy();
        }

        @Override
        public JsonObject versions() {
            return versions.deepCopy();
        }
    }

    /**
     * The architecture as given, the model's name, the weights file (absolute), the data source,
     * the device, and the sha256 of the weights and of the data ({@code io.ContentHash}; null in runs
     * made before content provenance).
     */
    public record Source(String arch, String model, String weights, String data, String device, String weightsSha256, String dataSha256) {
    }

    /** Whole run, scoring and curve evaluation (CPU times NaN where they were not recorded). */
    public record Timing(double seconds, PhaseTimes scoring, PhaseTimes evaluation) {
    }

    public record LayerScores(String layer, double[] scores) {
    }

    public String label() {
        return method.label();
    }

    /** The scores in the order of {@code layers}, checked against their names and counts; refused when the run saved none. */
    public List<double[]> scoresFor(List<PrunableLayer> layers, Path dir) {
        Path file = dir.resolve(SCORES);
        if (scores == null) {
            throw new IllegalArgumentException(file + " is missing: not a complete pruning run");
        }
        if (scores.size() != layers.size()) {
            throw new IllegalArgumentException(file + " holds scores of " + scores.size() + " layers but " + provenance.source().model()
                    + " has " + layers.size());
        }
        List<double[]> out = new ArrayList<>();
        for (int l = 0; l < layers.size(); l++) {
            if (!scores.get(l).layer().equals(layers.get(l).layer())) {
                throw new IllegalArgumentException(file + ": layer " + l + " is " + scores.get(l).layer() + ", expected " + layers.get(l).layer());
            }
            out.add(scores.get(l).scores());
        }
        return out;
    }

    /** Writes DIR/scores.json and DIR/curve.json, each atomically (the folder is created). */
    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        if (scores != null) {
            JsonArray layers = new JsonArray();
            for (LayerScores s : scores) {
                JsonObject e = new JsonObject();
                e.addProperty("layer", s.layer());
                e.add("scores", array(s.scores()));
                layers.add(e);
            }
            JsonObject file = new JsonObject();
            file.add("layers", layers);
            AtomicFileWrite.writeString(dir.resolve(SCORES), new GsonBuilder().create().toJson(file) + "\n");
        }
        AtomicFileWrite.writeString(dir.resolve(CURVE), new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create()
                .toJson(toJson()) + "\n");
    }

    /** curve.json's content. */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("criterion", method.criterion());
        if (method.composite() != null) {
            o.addProperty("composite", method.composite());
        }
        o.add("settings", method.settings());
        o.addProperty("components", selection.components().option());
        o.addProperty("total_components", selection.totalComponents());
        o.addProperty("grouping", selection.coupled() != null ? "coupled" : "independent");
        if (selection.coupled() != null) {
            o.addProperty("reduction", selection.coupled().name().toLowerCase(Locale.ROOT));
        }
        o.addProperty("normalize", selection.normalize());
        o.addProperty("ranking", selection.globalRanking() ? "global" : "layer");
        o.addProperty("split", evaluation.split());
        o.addProperty("images", test.images());
        o.add("rates", array(evaluation.rates()));
        JsonArray pruned = new JsonArray();
        for (int p : evaluation.pruned()) {
            pruned.add(p);
        }
        o.add("pruned", pruned);
        o.add("accuracy", array(test.accuracy()));
        metrics(o, test.metrics());
        if (validation != null) {
            JsonObject v = new JsonObject();
            v.add("accuracy", array(validation.accuracy()));
            metrics(v, validation.metrics());
            v.addProperty("images", validation.images());
            o.add("validation", v);
        }
        JsonObject ref = new JsonObject();
        if (reference.file() != null) {
            ref.addProperty("file", reference.file());
        } else {
            ref.addProperty("per_class", reference.perClass());
        }
        ref.addProperty("samples", reference.samples());
        ref.addProperty("seed", reference.seed());
        o.add("reference", ref);
        if (evaluation.classes() != null) {
            o.addProperty("classes", evaluation.classes());
        }
        Source s = provenance.source();
        JsonObject p = new JsonObject();
        p.addProperty("arch", s.arch());
        p.addProperty("model", s.model());
        p.addProperty("weights", s.weights());
        p.addProperty("data", s.data());
        p.addProperty("device", s.device());
        if (s.weightsSha256() != null) {
            p.addProperty("weights_sha256", s.weightsSha256());
        }
        if (s.dataSha256() != null) {
            p.addProperty("data_sha256", s.dataSha256());
        }
        p.addProperty("date", provenance.date());
        Timing t = provenance.timing();
        p.addProperty("seconds", t.seconds());
        p.addProperty("scoring_seconds", t.scoring().wallSeconds());
        p.addProperty("evaluation_seconds", t.evaluation().wallSeconds());
        p.add("scoring_cpu", cpu(t.scoring()));
        p.add("evaluation_cpu", cpu(t.evaluation()));
        p.addProperty("backend", provenance.backend());
        p.add("versions", provenance.versions());
        o.add("provenance", p);
        return o;
    }

    /** Reads DIR/curve.json and, where it exists, DIR/scores.json; errors name the file and what is wrong in it. */
    public static CurveResult read(Path dir) throws IOException {
        Path f = dir.resolve(CURVE);
        if (!Files.isRegularFile(f)) {
            throw new NoSuchFileException(f.toString(), null, "not a pruning run (no " + CURVE + "; run 'relprune prune --out " + dir + "' first)");
        }
        CurveResult r;
        try {
            r = fromJson(JsonParser.parseString(Files.readString(f)).getAsJsonObject(), null);
        } catch (RuntimeException e) {
            throw new IOException(f + ": not a relprune " + CURVE + " (" + e.getMessage() + ")", e);
        }
        Path sf = dir.resolve(SCORES);
        if (!Files.isRegularFile(sf)) {
            return r;
        }
        try {
            List<LayerScores> scores = new ArrayList<>();
            for (JsonElement e : JsonParser.parseString(Files.readString(sf)).getAsJsonObject().getAsJsonArray("layers")) {
                JsonObject l = e.getAsJsonObject();
                scores.add(new LayerScores(l.get("layer").getAsString(), doubles(l.getAsJsonArray("scores"))));
            }
            return new CurveResult(r.method, r.selection, r.evaluation, r.test, r.validation, r.reference, r.provenance, List.copyOf(scores));
        } catch (RuntimeException e) {
            throw new IOException(sf + ": not a relprune " + SCORES + " (" + e.getMessage() + ")", e);
        }
    }

    /** curve.json's content parsed; runs written before a field existed read it as its default then. */
    public static CurveResult fromJson(JsonObject o, List<LayerScores> scores) {
        Method method = new Method(required(o, "criterion").getAsString(), o.has("composite") ? o.get("composite").getAsString() : null,
                o.has("settings") ? o.getAsJsonObject("settings") : new JsonObject());
        boolean coupled = o.has("grouping") && o.get("grouping").getAsString().equals("coupled");
        PruningPlan.Reduction reduction = coupled ? PruningPlan.Reduction.valueOf(required(o, "reduction").getAsString().toUpperCase(Locale.ROOT)) : null;
        Selection selection = new Selection(ComponentKind.parse(required(o, "components").getAsString()), required(o, "total_components").getAsInt(),
                reduction, o.has("normalize") && o.get("normalize").getAsBoolean(), required(o, "ranking").getAsString().equals("global"));
        double[] rates = doubles(required(o, "rates").getAsJsonArray());
        JsonArray pa = required(o, "pruned").getAsJsonArray();
        int[] pruned = new int[pa.size()];
        for (int i = 0; i < pruned.length; i++) {
            pruned[i] = pa.get(i).getAsInt();
        }
        Evaluation evaluation = new Evaluation(required(o, "split").getAsString(), rates, pruned, o.has("classes") ? o.get("classes").getAsInt() : null);
        Curve test = new Curve(doubles(required(o, "accuracy").getAsJsonArray()), metrics(o), required(o, "images").getAsInt());
        Curve validation = null;
        if (o.has("validation")) {
            JsonObject v = o.getAsJsonObject("validation");
            validation = new Curve(doubles(required(v, "accuracy").getAsJsonArray()), metrics(v), required(v, "images").getAsInt());
        }
        JsonObject ref = required(o, "reference").getAsJsonObject();
        Reference reference = new Reference(ref.has("file") ? ref.get("file").getAsString() : null,
                ref.has("per_class") ? ref.get("per_class").getAsInt() : null, required(ref, "samples").getAsInt(), required(ref, "seed").getAsLong());
        JsonObject p = required(o, "provenance").getAsJsonObject();
        Source source = new Source(required(p, "arch").getAsString(), required(p, "model").getAsString(), required(p, "weights").getAsString(),
                required(p, "data").getAsString(), required(p, "device").getAsString(),
                p.has("weights_sha256") ? p.get("weights_sha256").getAsString() : null, p.has("data_sha256") ? p.get("data_sha256").getAsString() : null);
        Timing timing = new Timing(required(p, "seconds").getAsDouble(), phase(p, "scoring"), phase(p, "evaluation"));
        RunProvenance provenance = new RunProvenance(source, required(p, "date").getAsString(), timing,
                p.has("backend") ? p.get("backend").getAsString() : null, p.has("versions") ? p.getAsJsonObject("versions") : new JsonObject());
        return new CurveResult(method, selection, evaluation, test, validation, reference, provenance, scores);
    }

    private static JsonElement required(JsonObject o, String key) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            throw new JsonParseException("no \"" + key + "\"");
        }
        return e;
    }

    private static CurveMetrics metrics(JsonObject o) {
        return new CurveMetrics(required(o, "a_pr").getAsDouble(), required(o, "auc").getAsDouble(), required(o, "top_pr").getAsDouble());
    }

    private static void metrics(JsonObject o, CurveMetrics m) {
        o.addProperty("a_pr", m.aPr());
        o.addProperty("auc", m.auc());
        o.addProperty("top_pr", m.topPr());
    }

    /** A phase's times: its CPU figures where recorded, else the wall seconds alone. */
    private static PhaseTimes phase(JsonObject p, String name) {
        JsonObject cpu = p.has(name + "_cpu") ? p.getAsJsonObject(name + "_cpu") : null;
        if (cpu != null) {
            return new PhaseTimes(cpu.get("wall_s").getAsDouble(), cpu.get("user_s").getAsDouble(), cpu.get("system_s").getAsDouble());
        }
        double wall = p.has(name + "_seconds") ? p.get(name + "_seconds").getAsDouble() : Double.NaN;
        return new PhaseTimes(wall, Double.NaN, Double.NaN);
    }

    /** How busy the cores were during a phase (NaN where /proc/self/stat is missing). */
    private static JsonObject cpu(PhaseTimes t) {
        JsonObject o = new JsonObject();
        o.addProperty("wall_s", t.wallSeconds());
        o.addProperty("user_s", t.userSeconds());
        o.addProperty("system_s", t.systemSeconds());
        o.addProperty("cpu_percent", t.cpuPercent());
        o.addProperty("system_percent", t.systemPercent());
        return o;
    }

    private static JsonArray array(double[] v) {
        JsonArray a = new JsonArray();
        for (double x : v) {
            a.add(x);
        }
        return a;
    }

    private static double[] doubles(JsonArray a) {
        double[] d = new double[a.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = a.get(i).getAsDouble();
        }
        return d;
    }
}
