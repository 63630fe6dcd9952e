package org.relprune.train;

/** Receives progress of a training run (for progress bars and logs). */
public interface TrainingListener {
    /** After each batch: samples done in this epoch, running mean loss and accuracy of the epoch. */
    default void batch(int epoch, long samplesDone, long samplesTotal, double meanLoss, double accuracy) {
    }

    /** After each epoch, with the validation accuracy (NaN without a validation set). */
    default void epoch(EpochStats stats) {
    }
}
