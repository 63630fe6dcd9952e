package org.relprune.cli;

import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import org.relprune.run.RunMonitor;
import org.relprune.run.TrainRun;
import org.relprune.train.EpochStats;

/** A progress bar per epoch with running loss and accuracy, and one summary line per epoch. */
final class TrainingProgress implements RunMonitor.Training {
    private final int epochs;
    private ProgressBar bar;
    private int barEpoch = -1;

    TrainingProgress(int epochs) {
        this.epochs = epochs;
    }

    @Override
    public void batch(int epoch, long done, long total, double loss, double accuracy) {
        if (barEpoch != epoch) {
            close();
            bar = ProgressBars.create("epoch " + (epoch + 1) + "/" + epochs, total);
            barEpoch = epoch;
        }
        bar.stepTo(done);
        bar.setExtraMessage(String.format(Locale.ROOT, "loss %.4f acc %.4f", loss, accuracy));
    }

    @Override
    public void epoch(EpochStats s) {
        close();
        System.err.println(TrainRun.epochLine(s, epochs));
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
