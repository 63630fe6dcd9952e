package org.relprune;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.relprune.io.archfixture.CycleEnd;
import org.relprune.model.archfixture.UpwardImport;
import org.relprune.run.PruneRun;
import org.relprune.tensor.archfixture.CycleStart;

/**
 * The layer order of docs/architecture.md, enforced on the library's classes: cli -> run ->
 * (prune, search, report, train, export) -> lrp -> model -> backend -> tensor, io below the
 * layers that use it, no package cycle, and the concrete backends opened only by the run layer.
 */
class ArchitectureTest {
    private static final String[] ABOVE_IO = {"CLI", "Run", "Services"};

    /** Layers from top to bottom; each may use only those below it. */
    static final ArchRule LAYERS = layeredArchitecture().consideringOnlyDependenciesInLayers().withOptionalLayers(true)
            .layer("CLI").definedBy("org.relprune.cli..")
            .layer("Run").definedBy("org.relprune.run..")
            .layer("Services").definedBy("org.relprune.prune..", "org.relprune.search..", "org.relprune.report..", "org.relprune.train..",
                    "org.relprune.export..")
            .layer("LRP").definedBy("org.relprune.lrp..")
            .layer("Model").definedBy("org.relprune.model..")
            .layer("Backend").definedBy("org.relprune.backend..")
            .layer("IO").definedBy("org.relprune.io..")
            .layer("Tensor").definedBy("org.relprune.tensor..")
            .whereLayer("CLI").mayNotBeAccessedByAnyLayer()
            .whereLayer("Run").mayOnlyBeAccessedByLayers("CLI")
            .whereLayer("Services").mayOnlyBeAccessedByLayers("CLI", "Run")
            .whereLayer("LRP").mayOnlyBeAccessedByLayers("CLI", "Run", "Services")
            .whereLayer("Model").mayOnlyBeAccessedByLayers("CLI", "Run", "Services", "LRP")
            .whereLayer("Backend").mayOnlyBeAccessedByLayers("CLI", "Run", "Services", "LRP", "Model")
            .whereLayer("IO").mayOnlyBeAccessedByLayers(ABOVE_IO)
            .whereLayer("Tensor").mayOnlyBeAccessedByLayers("CLI", "Run", "Services", "LRP", "Model", "Backend", "IO");

    /** No cycle between the top-level packages (services among themselves included). */
    static final ArchRule NO_CYCLES = slices().matching("org.relprune.(*)..").should().beFreeOfCycles();

    /** Only the run layer picks a concrete backend; everything else works on the Backend interfaces. */
    static final ArchRule CONCRETE_BACKENDS = noClasses().that().resideOutsideOfPackages("org.relprune.backend..", "org.relprune.run..")
            .should().dependOnClassesThat().resideInAnyPackage("org.relprune.backend.cpu..", "org.relprune.backend.cuda..", "org.relprune.backend.jni..");

    private static JavaClasses library;

    @BeforeAll
    static void importLibrary() {
        library = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("org.relprune");
        assertTrue(library.contain(PruneRun.class), "the library's classes were imported");
    }

    @Test
    void layersPointOnlyDownward() {
        LAYERS.check(library);
    }

    @Test
    void packagesFormNoCycle() {
        NO_CYCLES.check(library);
    }

    @Test
    void onlyTheRunLayerOpensConcreteBackends() {
        CONCRETE_BACKENDS.check(library);
    }

    @Test
    void anUpwardImportFailsTheLayerRule() {
        // a model-layer class calling the application layer (test fixture, not part of the library)
        JavaClasses withUpwardImport = new ClassFileImporter().importClasses(UpwardImport.class, PruneRun.class);
        AssertionError e = assertThrows(AssertionError.class, () -> LAYERS.check(withUpwardImport));
        assertTrue(e.getMessage().contains(UpwardImport.class.getName()) && e.getMessage().contains(PruneRun.class.getName()), e.getMessage());
    }

    @Test
    void aPackageCycleFailsTheCycleRule() {
        JavaClasses withCycle = new ClassFileImporter().importClasses(CycleStart.class, CycleEnd.class);
        AssertionError e = assertThrows(AssertionError.class, () -> NO_CYCLES.check(withCycle));
        assertTrue(e.getMessage().contains("Cycle"), e.getMessage());
    }
}
