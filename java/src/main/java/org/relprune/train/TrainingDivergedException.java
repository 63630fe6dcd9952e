package org.relprune.train;

/**
 * Training produced a loss that is not finite. Carries the model as it was after the last epoch
 * that ended with finite losses (null when the first epoch diverged), so that the caller can keep it.
 */
public final class TrainingDivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int epoch;
    private final double loss;
    private final transient Trainer.Result lastFinite;

    TrainingDivergedException(int epoch, double loss, Trainer.Result lastFinite) {
        super("training diverged at epoch " + epoch + " (loss " + loss + "); lower --lr");
        this.epoch = epoch;
        this.loss = loss;
        this.lastFinite = lastFinite;
    }

    /** The epoch (1-based) whose loss was not finite. */
    public int epoch() {
        return epoch;
    }

    public double loss() {
        return loss;
    }

    /** The weights and history after the last finite epoch, or null. */
    public Trainer.Result lastFinite() {
        return lastFinite;
    }
}
