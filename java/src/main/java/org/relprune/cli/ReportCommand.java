package org.relprune.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.relprune.report.PruningReport;
import org.relprune.run.OutputLocation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Puts the curves of several pruning runs side by side in one HTML page. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Write one report.html with the pruning curves (test split) and figures of the given prune output folders.")
final class ReportCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "DIR", description = "Output folders of 'relprune prune'.") List<Path> runs;

    @Option(names = "--out", defaultValue = "report.html", paramLabel = "FILE", description = "Default: ${DEFAULT-VALUE}.") Path out;

    @Mixin CommonOptions.Force force;

    @Override
    public Integer call() throws Exception {
        OutputLocation.file(out, "--out", force.force);
        PruningReport.write(out, runs);
        spec.commandLine().getErr().println("wrote " + out);
        return 0;
    }
}
