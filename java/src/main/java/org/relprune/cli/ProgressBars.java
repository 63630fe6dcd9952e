package org.relprune.cli;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress bars on stderr. On a terminal the bar redraws in place; into a log file (bulk runs
 * under nohup or a scheduler) a redrawn bar would be thousands of carriage-return updates, so
 * there it prints one plain line every 30 seconds and one at the end.
 */
final class ProgressBars {
    private static final int LOG_INTERVAL_MILLIS = 30_000;

    private ProgressBars() {
    }

    static ProgressBar create(String task, long total) {
        ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setStyle(ProgressBarStyle.ASCII);
        if (System.console() != null) {
            b.setConsumer(new ConsoleProgressBarConsumer(System.err));
        } else {
            b.setUpdateIntervalMillis(LOG_INTERVAL_MILLIS).setConsumer(new DelegatingProgressBarConsumer(System.err::println, 100));
        }
        return b.build();
    }
}
