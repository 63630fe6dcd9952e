package org.relprune.train;

/** One epoch's figures: mean training loss and accuracy (training mode), validation top-1, learning rate. */
public record EpochStats(int epoch, double learningRate, double trainLoss, double trainAccuracy, double validationTop1, double seconds) {
}
