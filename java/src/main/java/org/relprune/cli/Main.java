package org.relprune.cli;

import java.io.PrintWriter;
import org.relprune.run.ErrorLines;
import org.relprune.run.StudyUnfinishedException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The relprune command line. */
@Command(name = "relprune", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Structured pruning of deep networks by Layer-wise Relevance Propagation.",
        subcommands = {InfoCommand.class, ForwardCommand.class, TrainCommand.class, EvalCommand.class, ExplainCommand.class, PruneCommand.class, ReportCommand.class,
                CompactCommand.class, SearchCommand.class, StudyCommand.class, DemoCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // before anything can touch JavaCPP: this build's natives get their own cache folder
        org.relprune.run.Backends.configureNativeCache();
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** The exit code of a search whose study other processes have not finished yet. */
    public static final int EXIT_STUDY_UNFINISHED = 3;

    /** Runs one command line; returns the exit code (0 ok, 1 failure, 2 usage error, 3 a search study not finished yet). */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            line.getErr().println(line.getCommandName() + ": error: " + ErrorLines.oneLine(ex));
            if (System.getenv("RELPRUNE_DEBUG") != null) {
                ex.printStackTrace(line.getErr());
            }
            return ex instanceof StudyUnfinishedException ? EXIT_STUDY_UNFINISHED : 1;
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
