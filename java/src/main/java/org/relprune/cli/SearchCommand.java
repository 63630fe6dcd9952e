package org.relprune.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.relprune.backend.Backend;
import org.relprune.backend.Backends;
import org.relprune.io.AtomicFileWrite;
import org.relprune.io.WeightFiles;
import org.relprune.io.data.Datasets;
import org.relprune.io.data.ImageDataset;
import org.relprune.io.data.PreparedData;
import org.relprune.io.data.Sampling;
import org.relprune.model.Graph;
import org.relprune.model.Model;
import org.relprune.model.layers.AttentionCore;
import org.relprune.model.zoo.ModelZoo;
import org.relprune.prune.ComponentKind;
import org.relprune.prune.Rates;
import org.relprune.prune.ReferenceSet;
import org.relprune.report.PruningReport;
import org.relprune.report.TrialsPlot;
import org.relprune.search.BayesianStrategy;
import org.relprune.search.RandomStrategy;
import org.relprune.search.SearchSpace;
import org.relprune.search.StudyStore;
import org.relprune.search.TrialObjective;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Searches LRP composites for pruning: trials stored in a resumable SQLite study. */
@Command(name = "search", mixinStandardHelpOptions = true,
        description = {"Search the LRP composite (a rule and parameter per layer group, the score option) that maximizes a_pr of the "
                + "pruning curve on the validation split. Trials live in a SQLite study (--study): a killed search resumes with the next "
                + "trial, several processes can share a study, --trials is the study's total.",
                "When every trial is done: DIR/search.json (the best point), DIR/best and DIR/default (test-split curves of the best "
                        + "and the default composite) and DIR/report.html."})
final class SearchCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--arch", required = true, paramLabel = "A") String arch;
    @Option(names = "--weights", required = true, paramLabel = "W") Path weights;
    @Option(names = "--data", required = true, paramLabel = "D") Path data;
    @Option(names = "--trials", required = true, paramLabel = "N", description = "Trials of the whole study.") int trials;
    @Option(names = "--strategy", defaultValue = "bo", paramLabel = "S",
            description = "bo (default: Gaussian process, expected improvement, after --warmup random trials) or random.") String strategy;
    @Option(names = "--warmup", defaultValue = "10", paramLabel = "N", description = "Random trials before bo models them (default: ${DEFAULT-VALUE}).")
    int warmup;
    @Option(names = "--space", paramLabel = "F", description = "Search space JSON (default: every group and rule; docs/search.md).") Path space;
    @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "Strategy and reference sampling seed (default: ${DEFAULT-VALUE}).") long seed;
    @Option(names = "--study", required = true, paramLabel = "S.db") Path study;
    @Option(names = "--out", required = true, paramLabel = "DIR") Path out;
    @Option(names = "--reference-per-class", defaultValue = "10", paramLabel = "N") int perClass;
    @Option(names = "--validation-limit", defaultValue = "2000", paramLabel = "N",
            description = "Validation images per trial curve, stratified (default: ${DEFAULT-VALUE}).") int validationLimit;
    @Option(names = "--test-limit", paramLabel = "N",
            description = "Test images for the final curves of the best and the default composite, stratified (default: all).") Integer testLimit;
    @Option(names = "--lease", defaultValue = "120", paramLabel = "SECONDS",
            description = "A RUNNING trial whose process sent no heartbeat for this long is run again (default: ${DEFAULT-VALUE}).") int lease;
    @Option(names = "--batch", defaultValue = "0", paramLabel = "B",
            description = "Images per forward pass of each trial's curve (default: automatic, as 'prune').") int batch;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = new PrintWriter(spec.commandLine().getErr(), true);
        if (trials < 1) {
            throw new IllegalArgumentException("--trials must be >= 1");
        }
        if (!strategy.equals("random") && !strategy.equals("bo")) {
            throw new IllegalArgumentException("unknown --strategy '" + strategy + "' (random, bo)");
        }
        Graph graph = ModelZoo.resolve(arch);
        boolean vit = graph.nodes().stream().anyMatch(n -> n.layer() instanceof AttentionCore);
        SearchSpace sp = space == null ? SearchSpace.defaults(vit) : SearchSpace.parse(JsonParser.parseString(Files.readString(space)).getAsJsonObject(), vit);
        ComponentKind kind = vit ? ComponentKind.NEURONS : ComponentKind.CHANNELS;
        ImageDataset raw = Datasets.open(data);
        TrainCommand.checkFits(graph, raw);
        PreparedData d = ModelSplits.prepare(weights, raw);
        ReferenceSet reference = ReferenceSet.perClass(d.train(), perClass, seed);
        ImageDataset val = d.validation();
        val = val.subset(Sampling.stratified(val.labels(), validationLimit, seed));
        Rates rates = Rates.standard();
        JsonObject config = new JsonObject();
        config.add("space", sp.toJson());
        config.addProperty("arch", arch);
        config.addProperty("weights", weights.toString());
        config.addProperty("data", raw.source());
        config.addProperty("strategy", strategy);
        if (strategy.equals("bo")) {
            config.addProperty("warmup", warmup);
        }
        config.addProperty("seed", seed);
        config.addProperty("components", kind.option());
        config.addProperty("reference_per_class", perClass);
        config.addProperty("validation_images", val.size());
        String worker = ManagementFactory.getRuntimeMXBean().getName();
        ScheduledExecutorService beats = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "study-heartbeat");
            t.setDaemon(true);
            return t;
        });
        List<StudyStore.Trial> done;
        try (StudyStore store = StudyStore.open(study, lease * 1000L);
             Backend backend = Backends.open("cpu", new java.io.PrintStream(System.err, true));
             Model model = Model.load(graph, WeightFiles.read(weights), backend);
             TrialObjective objective = new TrialObjective(model, kind, reference, val, rates, 32, batch)) {
            store.initialize(config);
            StudyStore.Proposer proposer = strategy.equals("bo") ? new BayesianStrategy(sp, seed, warmup, 2000) : new RandomStrategy(sp, seed);
            err.printf("search %s: %d trials in %s (%d done), %d reference / %d validation images; reference forward pass %.2f s "
                    + "(once, reused by every trial)%n", graph.name(), trials, study,
                    store.trials().stream().filter(t -> t.status().equals("COMPLETE")).count(), reference.size(), val.size(), objective.forwardSeconds());
            StudyStore.Trial t;
            while ((t = store.claim(trials, worker, proposer)) != null) {
                int number = t.number();
                StudyStore.Trial claimed = t;
                var beat = beats.scheduleAtFixedRate(() -> {
                    try {
                        store.heartbeat(claimed);
                    } catch (java.io.IOException e) {
                        err.println("search: heartbeat of trial " + number + " failed: " + e.getMessage());
                    }
                }, lease * 250L, lease * 250L, TimeUnit.MILLISECONDS);
                try {
                    SearchSpace.Point p = SearchSpace.Point.fromJson(t.params());
                    TrialObjective.Outcome o = objective.evaluate(p);
                    JsonArray acc = new JsonArray();
                    for (double a : o.accuracy()) {
                        acc.add(a);
                    }
                    store.complete(t, o.aPr(), acc.toString(), o.lrpSeconds(), o.curveSeconds());
                    err.printf("trial %d/%d: a_pr %.4f (lrp %.2f s, curve %.2f s) %s%s%n", number + 1, trials, o.aPr(), o.lrpSeconds(),
                            o.curveSeconds(), p.composite(), p.signed() ? " signed" : "");
                } catch (RuntimeException e) {
                    store.fail(t, CliErrors.oneLine(e));
                    throw e;
                } finally {
                    beat.cancel(false);
                }
            }
            List<StudyStore.Trial> all = store.trials();
            done = all.stream().filter(x -> x.status().equals("COMPLETE")).toList();
            if (done.size() < trials) {
                err.printf("search: %d of %d trials done; the others are running in other processes%n", done.size(), trials);
                return 0;
            }
            StudyStore.Trial best = done.stream().max(Comparator.comparingDouble(StudyStore.Trial::objective)
                    .thenComparing(Comparator.comparingInt(StudyStore.Trial::number).reversed())).orElseThrow();
            SearchSpace.Point bp = SearchSpace.Point.fromJson(best.params());
            JsonObject summary = new JsonObject();
            summary.addProperty("study", study.toString());
            summary.addProperty("trials", done.size());
            summary.addProperty("best_trial", best.number());
            summary.addProperty("best_validation_a_pr", best.objective());
            summary.addProperty("validation_images", val.size());
            summary.add("best", best.params());
            Files.createDirectories(out);
            AtomicFileWrite.writeString(out.resolve("search.json"), new GsonBuilder().setPrettyPrinting().create().toJson(summary) + "\n");
            err.printf("search: best trial %d, validation a_pr %.4f: %s%n", best.number(), best.objective(), bp.composite());
        } finally {
            beats.shutdownNow();
        }
        // the best composite and the default one on the test split, which the search never saw
        JsonObject summary = JsonParser.parseString(Files.readString(out.resolve("search.json"))).getAsJsonObject();
        SearchSpace.Point bp = SearchSpace.Point.fromJson(summary.getAsJsonObject("best"));
        String defaultComposite = vit ? "cp_epsilon" : "epsilon_plus";
        for (String[] run : new String[][] {{"best", bp.composite(), Boolean.toString(bp.signed())}, {"default", defaultComposite, "false"}}) {
            JsonObject c = PruneCommand.run(new PruneCommand.Settings(arch, weights, data, "lrp", run[1], kind.option(), "independent", "global",
                    perClass, null, null, null, validationLimit, testLimit, seed, Boolean.parseBoolean(run[2]), "onehot", false, "sum", batch, 32, "cpu", out.resolve(run[0]), true), err);
            summary.addProperty(run[0] + "_test_a_pr", c.get("a_pr").getAsDouble());
            if (run[0].equals("default")) {
                // the best composite's validation a_pr is its trial's objective; the default's on the same images shows the gain
                summary.addProperty("default_validation_a_pr", c.getAsJsonObject("validation").get("a_pr").getAsDouble());
            }
            err.printf("search: %s composite, test a_pr %.4f%n", run[0], c.get("a_pr").getAsDouble());
        }
        AtomicFileWrite.writeString(out.resolve("search.json"), new GsonBuilder().setPrettyPrinting().create().toJson(summary) + "\n");
        List<StudyStore.Trial> byNumber = done.stream().sorted(Comparator.comparingInt(StudyStore.Trial::number)).toList();
        Path trialsPng = out.resolve("trials.png");
        TrialsPlot.write(trialsPng, graph.name() + ": search over " + byNumber.size() + " trials (" + strategy + ")", "validation a_pr",
                byNumber.stream().mapToInt(StudyStore.Trial::number).toArray(), byNumber.stream().mapToDouble(StudyStore.Trial::objective).toArray(),
                "default (" + defaultComposite + ")", summary.get("default_validation_a_pr").getAsDouble());
        PruningReport.write(out.resolve("report.html"), List.of(out.resolve("best"), out.resolve("default")),
                List.of(new PruningReport.Figure("Objective over trials", trialsPng, "Validation a_pr (on the " + summary.get("validation_images")
                        + " validation images every trial used) of each trial, the best so far, and the default composite on the same images."
                        + (strategy.equals("bo") ? " Trials 1-" + warmup + " are the random warm-up." : ""))));
        return 0;
    }
}
