package org.relprune.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.relprune.prune.CurveResult;
import org.relprune.report.PruningReport;
import org.relprune.run.OutputLocation;
import org.relprune.run.PruneRun;
import org.relprune.run.PruneSettings;
import org.relprune.run.TrainRun;
import org.relprune.run.TrainSettings;
import org.relprune.train.Checkpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The README's main job: LeNet-5 on the committed MNIST, trained once (cached in D/model), pruned
 * by explaining (lrp, epsilon_plus) and by the l1 and random baselines, with a report.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Train LeNet-5 on the committed MNIST (once; cached in D/model), prune it with lrp (epsilon_plus), l1 and "
                + "random into D/<criterion>/ and write D/report.html. About a minute on two cores."})
final class DemoCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin CommonOptions.Seed seed;

    @Option(names = "--out", defaultValue = "relprune-demo", paramLabel = "D", description = "Output folder (default: ${DEFAULT-VALUE} in the current folder).")
    Path out;

    @Option(names = "--data", paramLabel = "DIR", description = "MNIST IDX folder (default: data/mnist of the relprune checkout).")
    Path data;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = new PrintWriter(spec.commandLine().getErr(), true);
        Path mnist = data != null ? data : committedMnist();
        Path model = out.resolve("model");
        Path weights = model.resolve(Checkpoint.WEIGHTS);
        OutputLocation.folder(out, "--out", true); // the demo replaces its own results; a file or an unwritable place is refused now, not after training
        try (ConsoleMonitor monitor = new ConsoleMonitor(err)) {
            if (Files.isRegularFile(weights) && Files.isRegularFile(model.resolve(Checkpoint.SIDECAR))) {
                monitor.say("demo: using the trained LeNet-5 in " + model + " (delete it to retrain)");
            } else {
                monitor.say("demo: training LeNet-5 on " + mnist + " into " + model);
                monitor.say(TrainRun.run(TrainSettings.builder().arch("lenet5").data(mnist).out(model).force(true).build(), monitor).summary());
            }
            List<Path> runs = new ArrayList<>();
            for (String criterion : new String[] {"lrp", "l1", "random"}) {
                Path dir = out.resolve(criterion);
                CurveResult curve = PruneRun.run(PruneSettings.builder().arch("lenet5").weights(weights).data(mnist).criterion(criterion)
                        .composite("epsilon_plus").referencePerClass(10).seed(seed.seed).out(dir).force(true).build(), monitor);
                monitor.say(String.format("demo: %-22s a_pr %.4f  auc %.4f  top_pr %s", curve.label(), curve.test().metrics().aPr(),
                        curve.test().metrics().auc(), curve.test().metrics().topPr()));
                runs.add(dir);
            }
            Path report = out.resolve("report.html");
            PruningReport.write(report, runs);
            monitor.say("demo: wrote " + report);
        }
        return 0;
    }

    /** data/mnist of the checkout the launcher runs from (it passes -Drelprune.home), else of the current folder. */
    private static Path committedMnist() {
        String home = System.getProperty("relprune.home");
        Path p = (home != null ? Path.of(home) : Path.of("")).resolve("data").resolve("mnist");
        if (!Files.isDirectory(p)) {
            throw new IllegalArgumentException("the demo data " + p.toAbsolutePath() + " is missing: pass --data DIR (an MNIST IDX folder)"
                    + " or run the demo through the relprune launcher of a checkout");
        }
        return p;
    }
}
