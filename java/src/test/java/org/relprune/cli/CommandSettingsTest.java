package org.relprune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.relprune.run.PruneSettings;
import org.relprune.run.SearchSettings;
import org.relprune.run.TrainSettings;
import picocli.CommandLine;

/** The commands turn options into the run layer's settings: unset options give the settings' defaults, errors are one line naming the option. */
class CommandSettingsTest {
    private static <T> T parse(T command, String... args) {
        new CommandLine(command).parseArgs(args);
        return command;
    }

    @Test
    void pruneWithRequiredOptionsOnlyHasTheLibrarysDefaults() {
        PruneSettings cli = parse(new PruneCommand(), "--arch", "lenet5", "--weights", "w", "--data", "d", "--criterion", "lrp", "--out", "o").settings();
        PruneSettings lib = PruneSettings.builder().arch("lenet5").weights(Path.of("w")).data(Path.of("d")).criterion("lrp").out(Path.of("o")).build();
        assertEquals(lib.grouping(), cli.grouping());
        assertEquals(lib.reduction(), cli.reduction());
        assertEquals(lib.ranking(), cli.ranking());
        assertEquals(lib.start(), cli.start());
        assertEquals(lib.referencePerClass(), cli.referencePerClass());
        assertEquals(lib.referenceBatch(), cli.referenceBatch());
        assertEquals(lib.batch(), cli.batch());
        assertEquals(lib.seed(), cli.seed());
        assertEquals(lib.device(), cli.device());
        assertEquals(lib.force(), cli.force());
        assertEquals(lib.rates(), cli.rates());
    }

    @Test
    void pruneOptionsReachTheSettings() {
        PruneSettings s = parse(new PruneCommand(), "--arch", "resnet20", "--weights", "w", "--data", "d", "--criterion", "l1", "--out", "o",
                "--grouping", "coupled", "--reduction", "mean", "--batch", "12", "--seed", "5", "--force", "--classes", "3").settings();
        assertEquals("resnet20", s.arch());
        assertTrue(s.coupled());
        assertEquals("mean", s.reduction());
        assertEquals(12, s.batch());
        assertEquals(5, s.seed());
        assertTrue(s.force());
        assertEquals(3, s.classes());
    }

    @Test
    void searchAndTrainWithRequiredOptionsOnlyHaveTheLibrarysDefaults() {
        SearchSettings cli = parse(new SearchCommand(), "--arch", "lenet5", "--weights", "w", "--data", "d", "--trials", "3", "--study", "s.db",
                "--out", "o").settings();
        SearchSettings lib = SearchSettings.builder().arch("lenet5").weights(Path.of("w")).data(Path.of("d")).trials(3).study(Path.of("s.db"))
                .out(Path.of("o")).build();
        assertEquals(lib.strategy(), cli.strategy());
        assertEquals(lib.warmup(), cli.warmup());
        assertEquals(lib.referencePerClass(), cli.referencePerClass());
        assertEquals(lib.validationLimit(), cli.validationLimit());
        assertEquals(lib.leaseSeconds(), cli.leaseSeconds());
        assertEquals(lib.batch(), cli.batch());
        assertEquals(lib.seed(), cli.seed());
        TrainSettings train = parse(new TrainCommand(), "--arch", "lenet5", "--data", "d", "--out", "o").settings();
        TrainSettings trainLib = TrainSettings.builder().arch("lenet5").data(Path.of("d")).out(Path.of("o")).build();
        assertEquals(trainLib.validation(), train.validation());
        assertEquals(trainLib.test(), train.test());
        assertEquals(trainLib.splitSeed(), train.splitSeed());
        var graph = org.relprune.model.zoo.ModelZoo.resolve("lenet5");
        assertEquals(trainLib.config(graph), train.config(graph), "--seed 0 is the architecture's default seed");
    }

    @Test
    void anInvalidOptionIsOneErrorLineBeforeAnyFileIsRead() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = Main.execute(new String[] {"prune", "--arch", "lenet5", "--weights", "/nonexistent/w", "--data", "/nonexistent/d", "--criterion", "lrp",
            "--out", "/nonexistent/o", "--grouping", "magic"}, new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(1, rc);
        assertEquals("prune: error: --grouping must be independent or coupled, not 'magic'" + System.lineSeparator(), err.toString());
        assertEquals("", out.toString());
    }

    @Test
    void aMissingRequiredOptionIsAUsageError() {
        StringWriter err = new StringWriter();
        int rc = Main.execute(new String[] {"prune", "--arch", "lenet5"}, new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
        assertEquals(2, rc);
        assertTrue(err.toString().contains("Missing required options") && err.toString().contains("--weights"), err.toString());
    }
}
