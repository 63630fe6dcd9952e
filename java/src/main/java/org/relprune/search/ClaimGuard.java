package org.relprune.search;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Gives the process's RUNNING trial back to its study when the JVM shuts down (Ctrl-C, a
 * SIGTERM, System.exit), so the next search claims it at once instead of waiting for the lease;
 * the trial's partial work is discarded. The release runs on a connection of its own. Once the
 * guard has stopped it holds nothing more: a trial claimed after that must be released by the
 * claimer ({@link #hold} says so). A SIGKILL runs no hook: then the next claim on this host
 * finds the worker dead ({@link Workers#deadHere}), or the lease runs out.
 */
public final class ClaimGuard implements AutoCloseable {
    /** How long the release waits for the study's write lock. */
    static final long RELEASE_BUSY_MILLIS = 10_000;

    private final Path study;
    private final Consumer<String> say;
    private final Thread hook;
    private StudyStore.Trial current;
    private boolean stopping;

    private ClaimGuard(Path study, Consumer<String> say, boolean install) {
        this.study = study;
        this.say = say;
        this.hook = install ? new Thread(this::releaseNow, "study-release") : null;
        if (hook != null) {
            Runtime.getRuntime().addShutdownHook(hook);
        }
    }

    /** A guard whose release runs as a JVM shutdown hook; {@code say} reports what it released. */
    public static ClaimGuard install(Path study, Consumer<String> say) {
        return new ClaimGuard(study, say, true);
    }

    /** A guard without a hook: {@link #releaseNow} is what the hook would run (for tests and for callers with hooks of their own). */
    public static ClaimGuard manual(Path study, Consumer<String> say) {
        return new ClaimGuard(study, say, false);
    }

    /** Holds {@code t} as the running trial; false once the guard has stopped (the caller then releases {@code t} itself). */
    public synchronized boolean hold(StudyStore.Trial t) {
        if (stopping) {
            return false;
        }
        current = t;
        return true;
    }

    /** The held trial is finished (or released) by its claimer. */
    public synchronized void clear() {
        current = null;
    }

    private synchronized StudyStore.Trial stop() {
        stopping = true;
        StudyStore.Trial t = current;
        current = null;
        return t;
    }

    /** Stops the guard and gives the held trial, if any, back to the study; returns it (null when none). */
    public StudyStore.Trial releaseNow() {
        StudyStore.Trial t = stop();
        if (t == null) {
            return null;
        }
        try {
            if (StudyStore.release(study, t, RELEASE_BUSY_MILLIS)) {
                tell("search: stopped; trial " + t.number() + " given back to " + study + " (its partial work discarded)");
            }
        } catch (IOException | RuntimeException e) {
            tell("search: stopped; could not give trial " + t.number() + " back (" + e.getMessage() + "); it is run again when its lease runs out");
        }
        return t;
    }

    private void tell(String message) {
        try {
            say.accept(message);
        } catch (RuntimeException ignored) {
            // the console may be gone while the JVM shuts down
        }
    }

    /** Removes the hook (a no-op while the JVM is already shutting down). */
    @Override
    public void close() {
        if (hook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs or has run
            }
        }
    }
}
