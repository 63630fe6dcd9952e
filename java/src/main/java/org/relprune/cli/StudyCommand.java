package org.relprune.cli;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import org.relprune.search.SearchSpace;
import org.relprune.search.StudyStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Inspects a search study. */
@Command(name = "study", mixinStandardHelpOptions = true, subcommands = StudyCommand.Show.class,
        description = "Inspect a search study (SQLite file written by 'relprune search').")
final class StudyCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Print the study's trial counts and its best trials.")
    static final class Show implements Callable<Integer> {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "DB") Path db;

        @Option(names = "--top", defaultValue = "10", paramLabel = "N", description = "Best trials to list (default: ${DEFAULT-VALUE}).") int top;

        @Override
        public Integer call() throws Exception {
            try (StudyStore s = StudyStore.openReadOnly(db)) {
                if (s.config() == null) {
                    throw new IllegalArgumentException(db + ": an empty study (no search has used it)");
                }
                List<StudyStore.Trial> all = s.trials();
                var out = spec.commandLine().getOut();
                long complete = all.stream().filter(t -> t.status().equals("COMPLETE")).count();
                long running = all.stream().filter(t -> t.status().equals("RUNNING")).count();
                long failed = all.size() - complete - running;
                out.printf("%s: %d complete, %d running, %d failed; strategy %s, seed %s%n", db, complete, running, failed,
                        s.config().get("strategy").getAsString(), s.config().get("seed"));
                out.printf("%6s  %8s  %8s  %s%n", "trial", "a_pr", "lrp s", "composite");
                all.stream().filter(t -> t.objective() != null).sorted(Comparator.comparingDouble(StudyStore.Trial::objective).reversed()).limit(top)
                        .forEach(t -> {
                            SearchSpace.Point p = SearchSpace.Point.fromJson(t.params());
                            out.printf("%6d  %8.4f  %8.3f  %s%s%n", t.number(), t.objective(), t.lrpSeconds(), p.composite(), p.signed() ? " (signed)" : "");
                        });
            }
            return 0;
        }
    }
}
