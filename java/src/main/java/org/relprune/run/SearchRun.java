package org.relprune.run;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.relprune.backend.Backend;
import org.relprune.io.AtomicFileWrite;
import org.relprune.io.ContentHash;
import org.relprune.io.WeightFiles;
import org.relprune.io.data.Datasets;
import org.relprune.io.data.ImageDataset;
import org.relprune.io.data.PreparedData;
import org.relprune.io.data.Sampling;
import org.relprune.model.Graph;
import org.relprune.model.Model;
import org.relprune.model.zoo.ModelZoo;
import org.relprune.prune.ComponentKind;
import org.relprune.prune.CurveResult;
import org.relprune.prune.PlanRecipe;
import org.relprune.prune.Rates;
import org.relprune.prune.ReferenceSet;
import org.relprune.report.PruningReport;
import org.relprune.report.TrialsPlot;
import org.relprune.search.BayesianStrategy;
import org.relprune.search.ClaimGuard;
import org.relprune.search.RandomStrategy;
import org.relprune.search.SearchSpace;
import org.relprune.search.StudyStore;
import org.relprune.search.TrialObjective;
import org.relprune.search.Workers;

/**
 * A composite search as a library call: run this process's share of the study's trials (the
 * reference forward passes once, reused by every trial), and when every trial is done, the test
 * curves of the best and the default composite, DIR/search.json, DIR/trials.png, DIR/report.html.
 */
public final class SearchRun {
    private SearchRun() {
    }

    /** What a search writes into its --out folder. */
    static final List<String> OUTPUTS = List.of("search.json", "best", "default", "trials.png", "report.html");

    /**
     * @param summary search.json's content
     */
    public record Result(int trialsDone, JsonObject summary) {
    }

    /**
     * Runs the search.
     *
     * @throws StudyUnfinishedException when this process finds no trial left to claim while
     *     others still run in other live processes: the study has no result yet
     */
    public static Result run(SearchSettings s, RunMonitor monitor) throws Exception {
        Graph graph = ModelZoo.resolve(s.arch());
        boolean vit = PruneRun.isTransformer(graph);
        SearchSpace sp = s.space() == null ? SearchSpace.defaults(vit)
                : SearchSpace.read(s.space(), vit);
        checkOut(s);
        MemoryEstimate.inference(graph, 3 * SearchSettings.REFERENCE_CHUNK, "searching").check();
        ComponentKind kind = vit ? ComponentKind.NEURONS : ComponentKind.CHANNELS;
        // the study is identified by content: the resolved architecture and the hashes of the files, not their names
        JsonObject arch = ModelZoo.resolveConfig(s.arch());
        String weightsHash = ContentHash.file(s.weights());
        String dataHash = Datasets.fingerprint(s.data());
        // trials rank globally and take the scores as they are: what the final curves' prune runs do by default
        PlanRecipe recipe = PlanRecipe.independent(kind);
        ImageDataset raw = Datasets.open(s.data());
        DatasetFit.check(graph, raw);
        PreparedData d = ModelSplits.prepare(s.weights(), raw);
        ReferenceSet reference = ReferenceSet.perClass(d.train(), s.referencePerClass(), s.seed());
        ImageDataset val = d.validation();
        val = val.subset(Sampling.stratified(val.labels(), s.validationLimit(), s.seed()));
        Rates rates = Rates.standard();
        JsonObject config = new JsonObject();
        config.add("space", sp.toJson());
        config.add("arch", arch);
        config.addProperty("weights_sha256", weightsHash);
        config.addProperty("data_sha256", dataHash);
        config.addProperty("strategy", s.strategy());
        if (s.strategy().equals("bo")) {
            config.addProperty("warmup", s.warmup());
        }
        config.addProperty("seed", s.seed());
        config.addProperty("components", kind.option());
        config.addProperty("reference_per_class", s.referencePerClass());
        config.addProperty("validation_images", val.size());
        JsonObject paths = new JsonObject();
        paths.addProperty("weights", s.weights().toAbsolutePath().normalize().toString());
        paths.addProperty("data", s.data().toAbsolutePath().normalize().toString());
        config.add(StudyStore.RECORDED_ONLY, paths);
        List<StudyStore.Trial> done;
        String studyId;
        // the study's settings are checked before the model is loaded and the reference passes run
        try (StudyStore store = StudyStore.open(s.study(), s.leaseSeconds() * 1000L)) {
            store.initialize(config);
            studyId = store.id();
            try (Backend backend = Backends.open("cpu", new java.io.PrintStream(System.err, true));
                 Model model = Model.load(graph, WeightFiles.read(s.weights()), backend);
                 TrialObjective objective = new TrialObjective(model, recipe, reference, val, rates, SearchSettings.REFERENCE_CHUNK, s.batch())) {
                StudyStore.Proposer proposer = s.strategy().equals("bo") ? new BayesianStrategy(sp, s.seed(), s.warmup(), 2000)
                        : new RandomStrategy(sp, s.seed());
                monitor.say(String.format("search %s: %d trials in %s (%d done), %d reference / %d validation images; reference forward pass %.2f s "
                        + "(once, reused by every trial)", graph.name(), s.trials(), s.study(),
                        store.trials().stream().filter(t -> t.status().equals("COMPLETE")).count(), reference.size(), val.size(), objective.forwardSeconds()));
                runTrials(s, store, proposer, objective, monitor);
                done = store.trials().stream().filter(x -> x.status().equals("COMPLETE")).toList();
                if (done.size() < s.trials()) {
                    throw new StudyUnfinishedException(s.study(), done.size(), s.trials(),
                            store.trials().stream().filter(x -> x.status().equals("RUNNING")).toList(), store.leaseMillis());
                }
                StudyStore.Trial best = done.stream().max(Comparator.comparingDouble(StudyStore.Trial::objective)
                        .thenComparing(Comparator.comparingInt(StudyStore.Trial::number).reversed())).orElseThrow();
                SearchSpace.Point bp = SearchSpace.Point.fromJson(best.params());
                JsonObject summary = new JsonObject();
                summary.addProperty("study", s.study().toAbsolutePath().normalize().toString());
                summary.addProperty("study_id", studyId);
                summary.addProperty("trials", done.size());
                summary.addProperty("best_trial", best.number());
                summary.addProperty("best_validation_a_pr", best.objective());
                summary.addProperty("validation_images", val.size());
                summary.add("best", best.params());
                Files.createDirectories(s.out());
                AtomicFileWrite.writeString(s.out().resolve("search.json"), new GsonBuilder().setPrettyPrinting().create().toJson(summary) + "\n");
                monitor.say(String.format("search: best trial %d, validation a_pr %.4f: %s", best.number(), best.objective(), bp.composite()));
            }
        }
        JsonObject summary = finalCurves(s, graph, done, monitor);
        return new Result(done.size(), summary);
    }

    /**
     * Claims and runs trials until the study has none left to claim; a heartbeat keeps each claim
     * alive. A trial this process stops running without finishing (an interrupt: the shutdown
     * hook; an error that is not the trial's own: here) goes back to the study; a trial whose
     * evaluation throws is recorded FAILED.
     */
    private static void runTrials(SearchSettings s, StudyStore store, StudyStore.Proposer proposer, TrialObjective objective, RunMonitor monitor)
            throws java.io.IOException {
        String worker = Workers.self();
        long beatMillis = Math.max(1, s.leaseSeconds() * 250L);
        ScheduledExecutorService beats = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "study-heartbeat");
            t.setDaemon(true);
            return t;
        });
        try (ClaimGuard guard = ClaimGuard.install(s.study(), monitor::say)) {
            StudyStore.Trial t;
            while ((t = store.claim(s.trials(), worker, proposer)) != null) {
                if (!guard.hold(t)) {
                    store.release(t); // the JVM is shutting down
                    return;
                }
                int number = t.number();
                StudyStore.Trial claimed = t;
                boolean settled = false;
                java.util.concurrent.ScheduledFuture<?> beat = null;
                try {
                    beat = beats.scheduleAtFixedRate(() -> {
                        try {
                            store.heartbeat(claimed);
                        } catch (java.io.IOException e) {
                            monitor.say("search: heartbeat of trial " + number + " failed: " + e.getMessage());
                        }
                    }, beatMillis, beatMillis, TimeUnit.MILLISECONDS);
                    SearchSpace.Point p = SearchSpace.Point.fromJson(t.params());
                    TrialObjective.Outcome o;
                    try {
                        o = objective.evaluate(p);
                    } catch (RuntimeException e) {
                        store.fail(t, ErrorLines.oneLine(e));
                        settled = true;
                        throw e;
                    }
                    JsonArray acc = new JsonArray();
                    for (double a : o.accuracy()) {
                        acc.add(a);
                    }
                    store.complete(t, o.aPr(), acc.toString(), o.lrpSeconds(), o.curveSeconds());
                    settled = true;
                    monitor.say(String.format("trial %d/%d: a_pr %.4f (lrp %.2f s, curve %.2f s) %s%s", number + 1, s.trials(), o.aPr(), o.lrpSeconds(),
                            o.curveSeconds(), p.composite(), p.signed() ? " signed" : ""));
                } finally {
                    if (beat != null) {
                        beat.cancel(false);
                    }
                    guard.clear();
                    if (!settled) {
                        releaseQuietly(store, t);
                    }
                }
            }
        } finally {
            beats.shutdownNow();
        }
    }

    private static void releaseQuietly(StudyStore store, StudyStore.Trial t) {
        try {
            store.release(t);
        } catch (java.io.IOException | RuntimeException ignored) {
            // the error that stopped the trial is what the caller reports; the lease takes the trial back
        }
    }

    /**
     * Refuses, before any work, an --out that is a file, or (without --force) a folder holding
     * another search's results: any of {@link #OUTPUTS} when DIR/search.json is not this study's
     * (its study_id differs; for a search.json written before study ids, its study path names
     * another file). A rerun of the same study into the same folder goes on.
     */
    static void checkOut(SearchSettings s) throws java.io.IOException {
        Path out = s.out();
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new IllegalArgumentException("--out " + out + " is a file; the search writes a folder there");
        }
        if (s.force() || !Files.isDirectory(out)) {
            return;
        }
        List<String> present = OUTPUTS.stream().filter(n -> Files.exists(out.resolve(n))).toList();
        if (present.isEmpty()) {
            return;
        }
        Path json = out.resolve("search.json");
        String of = "";
        if (Files.isRegularFile(json)) {
            JsonObject old = null;
            try {
                var e = JsonParser.parseString(Files.readString(json));
                old = e.isJsonObject() ? e.getAsJsonObject() : null;
            } catch (RuntimeException | java.io.IOException unreadable) {
                // not a search.json we wrote: another result
            }
            if (old != null) {
                String id = Files.isRegularFile(s.study()) && Files.size(s.study()) > 0 ? studyId(s.study()) : null;
                if (old.has("study_id") && id != null && old.get("study_id").isJsonPrimitive() && old.get("study_id").getAsString().equals(id)) {
                    return;
                }
                if (!old.has("study_id") && old.has("study") && old.get("study").isJsonPrimitive() && sameFile(Path.of(old.get("study").getAsString()), s.study())) {
                    return;
                }
                of = old.has("study") && old.get("study").isJsonPrimitive() ? " (search.json of study " + old.get("study").getAsString() + ")" : "";
            }
        }
        throw new IllegalArgumentException(out + " holds the results of another search" + (of.isEmpty() ? " (" + String.join(", ", present) + ")" : of)
                + ": pass --force to replace them, or choose another --out");
    }

    private static String studyId(Path study) throws java.io.IOException {
        try (StudyStore st = StudyStore.openReadOnly(study)) {
            return st.id();
        }
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** The best composite and the default one on the test split, which the search never saw; then search.json, trials.png, report.html. */
    private static JsonObject finalCurves(SearchSettings s, Graph graph, List<StudyStore.Trial> done, RunMonitor monitor) throws Exception {
        Path out = s.out();
        JsonObject summary = JsonParser.parseString(Files.readString(out.resolve("search.json"))).getAsJsonObject();
        SearchSpace.Point bp = SearchSpace.Point.fromJson(summary.getAsJsonObject("best"));
        String defaultComposite = PruneRun.defaultComposite(graph);
        ComponentKind kind = PruneRun.isTransformer(graph) ? ComponentKind.NEURONS : ComponentKind.CHANNELS;
        PruneSettings.Builder prune = PruneSettings.builder().arch(s.arch()).weights(s.weights()).data(s.data()).criterion("lrp")
                .components(kind.option()).referencePerClass(s.referencePerClass()).validationLimit(s.validationLimit()).testLimit(s.testLimit())
                .seed(s.seed()).batch(s.batch()).referenceBatch(SearchSettings.REFERENCE_CHUNK).force(true);
        CurveResult best = PruneRun.run(prune.composite(bp.composite()).signed(bp.signed()).out(out.resolve("best")).build(), monitor);
        summary.addProperty("best_test_a_pr", best.test().metrics().aPr());
        monitor.say(String.format("search: %s composite, test a_pr %.4f", "best", best.test().metrics().aPr()));
        CurveResult def = PruneRun.run(prune.composite(defaultComposite).signed(false).out(out.resolve("default")).build(), monitor);
        summary.addProperty("default_test_a_pr", def.test().metrics().aPr());
        // the best composite's validation a_pr is its trial's objective; the default's on the same images shows the gain
        summary.addProperty("default_validation_a_pr", def.validation().metrics().aPr());
        monitor.say(String.format("search: %s composite, test a_pr %.4f", "default", def.test().metrics().aPr()));
        AtomicFileWrite.writeString(out.resolve("search.json"), new GsonBuilder().setPrettyPrinting().create().toJson(summary) + "\n");
        List<StudyStore.Trial> byNumber = done.stream().sorted(Comparator.comparingInt(StudyStore.Trial::number)).toList();
        Path trialsPng = out.resolve("trials.png");
        TrialsPlot.write(trialsPng, graph.name() + ": search over " + byNumber.size() + " trials (" + s.strategy() + ")", "validation a_pr",
                byNumber.stream().mapToInt(StudyStore.Trial::number).toArray(), byNumber.stream().mapToDouble(StudyStore.Trial::objective).toArray(),
                "default (" + defaultComposite + ")", summary.get("default_validation_a_pr").getAsDouble());
        PruningReport.write(out.resolve("report.html"), List.of(out.resolve("best"), out.resolve("default")),
                List.of(new PruningReport.Figure("Objective over trials", trialsPng, "Validation a_pr (on the " + summary.get("validation_images")
                        + " validation images every trial used) of each trial, the best so far, and the default composite on the same images."
                        + (s.strategy().equals("bo") ? " Trials 1-" + s.warmup() + " are the random warm-up." : ""))));
        return summary;
    }
}
