package org.relprune.run;

import java.nio.file.Path;
import java.util.List;
import org.relprune.search.StudyStore;

/**
 * A search that ran out of trials to claim while others still run them in other live processes
 * (or on other hosts): the study is not finished, so there is no result yet. Names the trial that
 * blocks, its worker and how long its lease still runs. The CLI exits with 3 on it.
 */
public final class StudyUnfinishedException extends Exception {
    private final int done;
    private final int total;
    private final StudyStore.Trial blocking;
    private final long leaseLeftSeconds;

    StudyUnfinishedException(Path study, int done, int total, List<StudyStore.Trial> running, long leaseMillis) {
        super(message(study, done, total, running, leaseMillis));
        this.done = done;
        this.total = total;
        this.blocking = running.isEmpty() ? null : running.get(0);
        this.leaseLeftSeconds = blocking == null ? 0 : leaseLeft(blocking, leaseMillis);
    }

    private static long leaseLeft(StudyStore.Trial t, long leaseMillis) {
        Long beat = t.claim().heartbeat();
        if (beat == null) {
            return 0;
        }
        return Math.max(0, (beat + leaseMillis - System.currentTimeMillis() + 999) / 1000);
    }

    private static String message(Path study, int done, int total, List<StudyStore.Trial> running, long leaseMillis) {
        String head = study + ": " + done + " of " + total + " trials done";
        if (running.isEmpty()) {
            return head + ", none running: run the search again";
        }
        StudyStore.Trial t = running.get(0);
        String others = running.size() > 1 ? " (and " + (running.size() - 1) + " more trials in other processes)" : "";
        return head + "; trial " + t.number() + " is running in " + t.worker() + ", whose lease runs out in " + leaseLeft(t, leaseMillis)
                + " s without a heartbeat" + others + ": run the search again when it has finished";
    }

    public int done() {
        return done;
    }

    public int total() {
        return total;
    }

    /** The lowest-numbered RUNNING trial (null when none runs). */
    public StudyStore.Trial blocking() {
        return blocking;
    }

    /** Seconds until the blocking trial's lease runs out, should its worker send no more heartbeats. */
    public long leaseLeftSeconds() {
        return leaseLeftSeconds;
    }
}
