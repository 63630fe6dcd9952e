package org.relprune.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.relprune.model.train.Checkpoint;
import org.relprune.report.PruningReport;
import picocli.CommandLine.Command;
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

    @Option(names = "--out", defaultValue = "relprune-demo", paramLabel = "D", description = "Output folder (default: ${DEFAULT-VALUE} in the current folder).")
    Path out;

    @Option(names = "--data", paramLabel = "DIR", description = "MNIST IDX folder (default: data/mnist of the relprune checkout).")
    Path data;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "Reference sampling and random-criterion seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = new PrintWriter(spec.commandLine().getErr(), true);
        Path mnist = data != null ? data : committedMnist();
        Path model = out.resolve("model");
        Path weights = model.resolve(Checkpoint.WEIGHTS);
        if (Files.isRegularFile(weights) && Files.isRegularFile(model.resolve(Checkpoint.SIDECAR))) {
            err.println("demo: using the trained LeNet-5 in " + model + " (delete it to retrain)");
        } else {
            err.println("demo: training LeNet-5 on " + mnist + " into " + model);
            int rc = Main.execute(new String[] {"train", "--arch", "lenet5", "--data", mnist.toString(), "--out", model.toString(), "--force"},
                    spec.commandLine().getOut(), err);
            if (rc != 0) {
                throw new IllegalStateException("training the demo model failed (see above)");
            }
        }
        List<Path> runs = new ArrayList<>();
        for (String criterion : new String[] {"lrp", "l1", "random"}) {
            Path dir = out.resolve(criterion);
            var curve = PruneCommand.run(new PruneCommand.Settings("lenet5", weights, mnist, criterion, "epsilon_plus", null, "independent", "global",
                    10, null, null, null, null, null, seed, false, "onehot", false, "sum", 0, 32, "cpu", dir, true), err);
            err.printf("demo: %-22s a_pr %.4f  auc %.4f  top_pr %s%n", PruneCommand.label(curve), curve.get("a_pr").getAsDouble(),
                    curve.get("auc").getAsDouble(), curve.get("top_pr"));
            runs.add(dir);
        }
        Path report = out.resolve("report.html");
        PruningReport.write(report, runs);
        err.println("demo: wrote " + report);
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
