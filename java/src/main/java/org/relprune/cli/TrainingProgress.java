package org.relprune.cli;

import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import org.relprune.model.train.EpochStats;
import org.relprune.model.train.TrainingListener;

/** A progress bar per epoch with running loss and accuracy, and one summary line per epoch. */
final class TrainingProgress implements TrainingListener, AutoCloseable {
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
        System.err.printf(Locale.ROOT, "epoch %d/%d: lr %.4g, loss %.4f, train acc %.4f, validation top-1 %.4f (%.1f s)%n",
                s.epoch() + 1, epochs, s.learningRate(), s.trainLoss(), s.trainAccuracy(), s.validationTop1(), s.seconds());
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
