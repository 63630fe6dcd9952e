package org.relprune.cli;

import me.tongfei.progressbar.ProgressBar;

/**
 * A progress bar on stderr that only appears once work has run for a couple of seconds, so short
 * commands stay quiet and long ones show progress.
 */
final class Progress implements AutoCloseable {
    private static final long SHOW_AFTER_NANOS = 2_000_000_000L;
    private final String task;
    private final long total;
    private final long started = System.nanoTime();
    private long done;
    private ProgressBar bar;

    Progress(String task, long total) {
        this.task = task;
        this.total = total;
    }

    void step(long n) {
        done += n;
        if (bar == null && System.nanoTime() - started > SHOW_AFTER_NANOS && done < total) {
            bar = ProgressBars.create(task, total);
        }
        if (bar != null) {
            bar.stepTo(done);
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
