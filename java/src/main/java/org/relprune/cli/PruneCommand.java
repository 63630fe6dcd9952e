package org.relprune.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import org.relprune.backend.Backend;
import org.relprune.backend.Backends;
import org.relprune.io.AtomicFileWrite;
import org.relprune.io.WeightFiles;
import org.relprune.io.data.Datasets;
import org.relprune.io.data.ImageDataset;
import org.relprune.io.data.PreparedData;
import org.relprune.io.data.Sampling;
import org.relprune.lrp.composite.Composites;
import org.relprune.model.Graph;
import org.relprune.model.Model;
import org.relprune.model.layers.AttentionCore;
import org.relprune.model.layers.Conv2d;
import org.relprune.model.zoo.ModelZoo;
import org.relprune.prune.ActivationCriterion;
import org.relprune.prune.ComponentKind;
import org.relprune.prune.Components;
import org.relprune.prune.CurveMetrics;
import org.relprune.prune.Criterion;
import org.relprune.prune.IntegratedGradientsCriterion;
import org.relprune.prune.LrpCriterion;
import org.relprune.prune.PruningJob;
import org.relprune.prune.PruningPlan;
import org.relprune.prune.RandomCriterion;
import org.relprune.prune.TaylorCriterion;
import org.relprune.prune.Rates;
import org.relprune.prune.ReferenceSet;
import org.relprune.prune.WeightNormCriterion;
import org.relprune.report.CurvePlot;
import org.relprune.report.Provenance;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Prunes a trained model at every rate of a curve and writes DIR/curve.json and DIR/curve.png. */
@Command(name = "prune", mixinStandardHelpOptions = true,
        description = {"Score the components of a model with a criterion on a reference set (n images per class from the "
                + "training split), mask the lowest-scored at each rate (nested masks, global ranking) and evaluate every rate "
                + "in batched passes on the validation and test splits of the model's sidecar.",
                "Writes DIR/curve.json (rates, accuracy as fractions on the test split, a_pr, auc, top_pr, the validation "
                        + "curve, criterion, settings, provenance) and DIR/curve.png."})
final class PruneCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--arch", required = true, paramLabel = "A") String arch;
    @Option(names = "--weights", required = true, paramLabel = "W") Path weights;
    @Option(names = "--data", required = true, paramLabel = "D") Path data;
    @Option(names = "--criterion", required = true, paramLabel = "C", description = "lrp, random, l1, l2, activation, taylor or ig (integrated gradients, 20 steps).") String criterion;
    @Option(names = "--composite", paramLabel = "C",
            description = "LRP composite (preset or spec string) for --criterion lrp (default: epsilon_plus for CNNs, cp_epsilon for ViTs).")
    String composite;
    @Option(names = "--components", paramLabel = "K",
            description = "channels (CNN default), linear (hidden Linear neurons), neurons (ViT MLP; the ViT default) or heads (ViT attention).")
    String components;
    @Option(names = "--grouping", defaultValue = "independent", paramLabel = "G",
            description = "independent (default: every channel on its own, masking only) or coupled (channels tied by residual adds "
                    + "scored and removed together; needed by 'compact').") String grouping;
    @Option(names = "--reduction", defaultValue = "sum", paramLabel = "R",
            description = "How coupled channels' scores combine: sum (default), mean or max.") String reduction;
    @Option(names = "--ranking", defaultValue = "global", paramLabel = "R", description = "global (default) or layer.") String ranking;
    @Option(names = "--reference-per-class", paramLabel = "N", description = "Reference images per class from the training split (default 10).")
    Integer perClass;
    @Option(names = "--reference", paramLabel = "F", description = "The reference images given explicitly (a dataset, e.g. a tensor "
            + ".safetensors with images and labels), instead of --reference-per-class.") Path reference;
    @Option(names = "--rates", paramLabel = "R", description = "Comma list or START:STOP:STEP, starting at 0 (default 0:0.95:0.05).")
    String rates;
    @Option(names = "--classes", paramLabel = "K", description = "Restricted task: the first K classes only.") Integer classes;
    @Option(names = "--validation-limit", paramLabel = "N",
            description = "Evaluate the validation curve on at most N images, stratified by class (default: all).") Integer validationLimit;
    @Option(names = "--test-limit", paramLabel = "N",
            description = "Evaluate the test curve on at most N images, stratified by class (default: all).") Integer testLimit;
    @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "Reference sampling and random-criterion seed (default: ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--signed", description = "LRP scores sum signed relevance instead of |relevance|.") boolean signed;
    @Option(names = "--start", defaultValue = "onehot", paramLabel = "S",
            description = "LRP start relevance: onehot (of the true label; default) or logit (the true label's logit times one-hot).")
    String start;
    @Option(names = "--normalize", description = "Divide each layer's scores by their L1 norm before the global ranking.") boolean normalize;
    @Option(names = "--batch", defaultValue = "0", paramLabel = "B", description = "Images per forward pass of the curve evaluation (each "
            + "rate runs at its pruned width, one rate per pass; default: automatic, as many as keep every activation within 48 MiB, "
            + "at most 1024).")
    int batch;
    @Option(names = "--reference-batch", defaultValue = "32", paramLabel = "B",
            description = "Reference images per LRP (or other criterion) pass (default: ${DEFAULT-VALUE}).")
    int referenceBatch;
    @Option(names = "--device", defaultValue = "cpu", paramLabel = "cpu", description = "Default: ${DEFAULT-VALUE} (pruning runs on the CPU backend today).")
    String device;
    @Option(names = "--out", required = true, paramLabel = "DIR") Path out;
    @Option(names = "--force", description = "Replace an existing DIR/curve.json.") boolean force;

    @Override
    public Integer call() throws Exception {
        JsonObject curve = run(new Settings(arch, weights, data, criterion, composite, components, grouping, ranking, perClass, reference, rates, classes,
                validationLimit, testLimit, seed, signed, start, normalize, reduction, batch, referenceBatch, device, out, force), new PrintWriter(spec.commandLine().getErr(), true));
        spec.commandLine().getErr().printf("%s: a_pr %.4f, auc %.4f, top_pr %s on the %s split; wrote %s%n", curve.get("criterion").getAsString(),
                curve.get("a_pr").getAsDouble(), curve.get("auc").getAsDouble(), curve.get("top_pr"), curve.get("split").getAsString(),
                out.resolve("curve.json"));
        return 0;
    }

    /** Everything a prune run takes (shared with 'demo'). */
    record Settings(String arch, Path weights, Path data, String criterion, String composite, String components, String grouping, String ranking,
                    Integer perClass, Path reference, String rates, Integer classes, Integer validationLimit, Integer testLimit, long seed,
                    boolean signed, String start, boolean normalize, String reduction, int batch, int referenceBatch, String device, Path out,
                    boolean force) {
    }

    static JsonObject run(Settings s, PrintWriter err) throws Exception {
        Path curveFile = s.out().resolve("curve.json");
        if (Files.exists(curveFile) && !s.force()) {
            throw new IllegalArgumentException(curveFile + " exists; pass --force to replace it");
        }
        if (!s.grouping().equals("independent") && !s.grouping().equals("coupled")) {
            throw new IllegalArgumentException("--grouping must be independent or coupled, not '" + s.grouping() + "'");
        }
        if (!s.ranking().equals("global") && !s.ranking().equals("layer")) {
            throw new IllegalArgumentException("--ranking must be global or layer, not '" + s.ranking() + "'");
        }
        if (!s.device().equals("cpu")) {
            throw new IllegalArgumentException("--device " + s.device() + ": pruning runs on the CPU backend only today (the CUDA masks and CNN LRP exist but are not yet verified on a GPU; 'explain --device cuda' runs them)");
        }
        if (s.batch() < 0) {
            throw new IllegalArgumentException("--batch must be >= 1 (or 0: automatic)");
        }
        if (s.referenceBatch() < 1) {
            throw new IllegalArgumentException("--reference-batch must be >= 1");
        }
        Rates r = s.rates() == null ? Rates.standard() : Rates.parse(s.rates());
        if (r.values().get(0).signum() != 0) {
            throw new IllegalArgumentException("--rates must start at 0 (the unpruned accuracy that top_pr refers to)");
        }
        Graph graph = ModelZoo.resolve(s.arch());
        boolean vit = graph.nodes().stream().anyMatch(n -> n.layer() instanceof AttentionCore);
        ComponentKind kind = s.components() != null ? ComponentKind.parse(s.components())
                : vit ? ComponentKind.NEURONS
                : graph.nodes().stream().anyMatch(n -> n.layer() instanceof Conv2d) ? ComponentKind.CHANNELS : ComponentKind.LINEAR;
        // the default composites: epsilon_plus for CNNs (the paper), cp_epsilon for ViTs
        String composite = s.composite() != null ? s.composite() : vit ? "cp_epsilon" : "epsilon_plus";
        Criterion c = switch (s.criterion()) {
            case "lrp" -> new LrpCriterion(Composites.named(composite), s.signed(), false, startRelevance(s.start()), s.referenceBatch());
            case "taylor" -> new TaylorCriterion(s.referenceBatch());
            case "random" -> new RandomCriterion(s.seed());
            case "l1" -> new WeightNormCriterion(1);
            case "l2" -> new WeightNormCriterion(2);
            case "activation" -> new ActivationCriterion(64);
            case "ig" -> new IntegratedGradientsCriterion(20, s.referenceBatch());
            default -> throw new IllegalArgumentException("unknown --criterion '" + s.criterion() + "' (use lrp, random, l1, l2, activation, taylor or ig)");
        };
        ImageDataset raw = Datasets.open(s.data());
        TrainCommand.checkFits(graph, raw);
        ImageDataset train = null;
        ImageDataset val = null;
        ImageDataset test;
        PreparedData d = null;
        // a tensor dataset (already normalized) is the evaluation set as it is: one curve, no splits
        boolean tensorData = raw.normalized();
        if (tensorData) {
            if (s.reference() == null) {
                throw new IllegalArgumentException(s.data() + " is a tensor dataset (evaluated as it is, no training split to sample from): "
                        + "give the reference images with --reference F");
            }
            test = raw;
        } else {
            d = ModelSplits.prepare(s.weights(), raw);
            train = d.train();
            val = d.validation();
            test = d.test();
        }
        if (s.reference() != null && s.perClass() != null) {
            throw new IllegalArgumentException("give either --reference or --reference-per-class, not both");
        }
        int[] allowed = null;
        if (s.classes() != null) {
            if (s.classes() < 2 || s.classes() > raw.numClasses()) {
                throw new IllegalArgumentException("--classes " + s.classes() + " must be in [2, " + raw.numClasses() + "]");
            }
            allowed = Sampling.firstClasses(s.classes(), raw.numClasses());
            train = restrict(train, allowed);
            val = restrict(val, allowed);
            test = restrict(test, allowed);
        }
        // evaluation subsets drawn with the reference seed: a search's final curves use its trials' images
        val = limit(val, s.validationLimit(), s.seed());
        test = limit(test, s.testLimit(), s.seed());
        ReferenceSet reference;
        int perClass = s.perClass() == null ? 10 : s.perClass();
        if (s.reference() != null) {
            ImageDataset ref = Datasets.open(s.reference());
            TrainCommand.checkFits(graph, ref);
            if (!ref.normalized()) {
                if (d == null) {
                    throw new IllegalArgumentException("--reference " + s.reference() + " holds raw images but --data is a tensor dataset: "
                            + "give the reference as a tensor dataset too (normalized like --data)");
                }
                ref = ref.normalized(d.mean(), d.std());
            }
            ref = restrict(ref, allowed);
            reference = ReferenceSet.all(ref);
        } else {
            if (perClass < 1) {
                throw new IllegalArgumentException("--reference-per-class must be >= 1");
            }
            reference = ReferenceSet.perClass(train, perClass, s.seed());
        }
        PruningPlan.Reduction reduction = reduction(s.reduction());
        PruningJob job = new PruningJob(c, kind, r, s.ranking().equals("global"), s.normalize(),
                s.grouping().equals("coupled") ? reduction : null, allowed, s.batch());
        err.printf("prune %s with %s: %d reference images, %s%d %s images, %d rates%n", graph.name(), c.name(), reference.size(),
                val == null ? "" : val.size() + " validation / ", test.size(), tensorData ? "evaluation" : "test", r.size());
        PruningJob.Result res;
        long started = System.nanoTime();
        String backendDescription;
        try (Backend backend = Backends.open(s.device(), new java.io.PrintStream(System.err, true));
             Model model = Model.load(graph, WeightFiles.read(s.weights()), backend)) {
            backendDescription = backend.description();
            Progress[] open = new Progress[1];
            try {
                res = job.run(model, reference, val, test, (phase, total) -> {
                    if (open[0] != null) {
                        open[0].close();
                    }
                    open[0] = new Progress(phase, total);
                    return open[0]::step;
                });
            } finally {
                if (open[0] != null) {
                    open[0].close();
                }
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        double[] rd = r.asDoubles();
        CurveMetrics mt = CurveMetrics.of(rd, res.test());

        JsonObject o = new JsonObject();
        o.addProperty("criterion", c.name());
        if (c instanceof LrpCriterion) {
            o.addProperty("composite", composite);
        }
        o.add("settings", c.settings());
        o.addProperty("components", kind.option());
        o.addProperty("total_components", s.grouping().equals("coupled") ? res.plan().total() : Components.total(res.layers()));
        o.addProperty("grouping", s.grouping());
        if (s.grouping().equals("coupled")) {
            o.addProperty("reduction", s.reduction());
        }
        o.addProperty("normalize", s.normalize());
        o.addProperty("ranking", s.ranking());
        o.addProperty("split", tensorData ? "data" : "test");
        o.addProperty("images", test.size());
        o.add("rates", array(rd));
        JsonArray pruned = new JsonArray();
        for (int k = 0; k < r.size(); k++) {
            pruned.add(res.plan().pruned(k));
        }
        o.add("pruned", pruned);
        o.add("accuracy", array(res.test()));
        o.addProperty("a_pr", mt.aPr());
        o.addProperty("auc", mt.auc());
        o.addProperty("top_pr", mt.topPr());
        if (res.validation() != null) {
            CurveMetrics mv = CurveMetrics.of(rd, res.validation());
            JsonObject v = new JsonObject();
            v.add("accuracy", array(res.validation()));
            v.addProperty("a_pr", mv.aPr());
            v.addProperty("auc", mv.auc());
            v.addProperty("top_pr", mv.topPr());
            v.addProperty("images", val.size());
            o.add("validation", v);
        }
        JsonObject ref = new JsonObject();
        if (s.reference() != null) {
            ref.addProperty("file", s.reference().toString());
        } else {
            ref.addProperty("per_class", perClass);
        }
        ref.addProperty("samples", reference.size());
        ref.addProperty("seed", s.seed());
        o.add("reference", ref);
        if (s.classes() != null) {
            o.addProperty("classes", s.classes());
        }
        JsonObject p = new JsonObject();
        p.addProperty("arch", s.arch());
        p.addProperty("model", graph.name());
        p.addProperty("weights", s.weights().toString());
        p.addProperty("data", raw.source());
        p.addProperty("device", s.device());
        p.addProperty("date", Instant.now().toString());
        p.addProperty("seconds", seconds);
        p.addProperty("scoring_seconds", res.scoringSeconds());
        p.addProperty("evaluation_seconds", res.evaluationSeconds());
        p.add("scoring_cpu", cpu(res.scoring()));
        p.add("evaluation_cpu", cpu(res.evaluation()));
        p.addProperty("backend", backendDescription);
        p.add("versions", Provenance.versions());
        o.add("provenance", p);
        Files.createDirectories(s.out());
        // the raw scores per layer, so that 'compact' rebuilds the same masks at any rate
        JsonArray scoreLayers = new JsonArray();
        for (int l = 0; l < res.layers().size(); l++) {
            JsonObject e = new JsonObject();
            e.addProperty("layer", res.layers().get(l).layer());
            e.add("scores", array(res.scores().get(l)));
            scoreLayers.add(e);
        }
        JsonObject scoresFile = new JsonObject();
        scoresFile.add("layers", scoreLayers);
        AtomicFileWrite.writeString(s.out().resolve("scores.json"), new GsonBuilder().create().toJson(scoresFile) + "\n");
        AtomicFileWrite.writeString(curveFile, new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(o) + "\n");
        CurvePlot.write(s.out().resolve("curve.png"), graph.name() + ": " + label(o),
                List.of(new CurvePlot.Series(label(o) + String.format(" (a_pr %.3f)", mt.aPr()), rd, res.test())));
        return o;
    }

    /** How busy the cores were during a phase (NaN where /proc/self/stat is missing). */
    private static JsonObject cpu(org.relprune.prune.PhaseTimes t) {
        JsonObject o = new JsonObject();
        o.addProperty("wall_s", t.wallSeconds());
        o.addProperty("user_s", t.userSeconds());
        o.addProperty("system_s", t.systemSeconds());
        o.addProperty("cpu_percent", t.cpuPercent());
        o.addProperty("system_percent", t.systemPercent());
        return o;
    }

    /** "lrp (epsilon_plus)", "l1", "random". */
    static String label(JsonObject curve) {
        String c = curve.get("criterion").getAsString();
        return curve.has("composite") ? c + " (" + curve.get("composite").getAsString() + ")" : c;
    }

    private static PruningPlan.Reduction reduction(String s) {
        return switch (s) {
            case "sum" -> PruningPlan.Reduction.SUM;
            case "mean" -> PruningPlan.Reduction.MEAN;
            case "max" -> PruningPlan.Reduction.MAX;
            default -> throw new IllegalArgumentException("--reduction must be sum, mean or max, not '" + s + "'");
        };
    }

    private static org.relprune.lrp.Attributor.Start startRelevance(String s) {
        return switch (s) {
            case "onehot" -> org.relprune.lrp.Attributor.Start.ONE_HOT;
            case "logit" -> org.relprune.lrp.Attributor.Start.LOGIT;
            default -> throw new IllegalArgumentException("--start must be onehot or logit, not '" + s + "'");
        };
    }

    private static ImageDataset limit(ImageDataset d, Integer limit, long seed) {
        return d == null || limit == null ? d : d.subset(Sampling.stratified(d.labels(), limit, seed));
    }

    private static ImageDataset restrict(ImageDataset d, int[] classes) {
        return d == null || classes == null ? d : d.subset(Sampling.classSubset(d.labels(), Sampling.all(d.size()), classes));
    }

    private static JsonArray array(double[] v) {
        JsonArray a = new JsonArray();
        for (double x : v) {
            a.add(x);
        }
        return a;
    }
}
