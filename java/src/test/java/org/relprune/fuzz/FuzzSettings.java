package org.relprune.fuzz;

/**
 * The bounds of the fuzz harnesses. In CI (the "fuzz" surefire execution of java/pom.xml, with
 * JAZZER_FUZZ=1) each harness fuzzes for {@link #CI_DURATION} in its own JVM; a longer local run
 * overrides the duration on Jazzer's command line (.ci/fuzz-long, docs/reliability.md).
 */
final class FuzzSettings {
    /** Per harness; nine harnesses plus their JVM starts stay well under three minutes. */
    static final String CI_DURATION = "10s";
    /**
     * One input taking longer than this is a hang: libFuzzer's -timeout while fuzzing (Jazzer
     * translates the @Timeout; the fuzz execution disables JUnit's own enforcement, which would
     * cut the whole fuzzing run), JUnit's timeout per input in regression mode. Every parser answers a small input in milliseconds; the
     * margin is for class loading and a loaded 2-core CI machine.
     */
    static final long TIMEOUT_SECONDS = 10;

    private FuzzSettings() {
    }
}
