package org.relprune.backend;

/** An optimizer and its hyperparameters (torch.optim semantics). */
public record OptimizerSpec(Kind kind, double learningRate, double momentum, double weightDecay, boolean nesterov) {
    public enum Kind { SGD, ADAM }

    public OptimizerSpec {
        if (!(learningRate > 0) || momentum < 0 || momentum >= 1 || weightDecay < 0) {
            throw new IllegalArgumentException("invalid optimizer settings: lr " + learningRate + ", momentum " + momentum
                    + ", weight decay " + weightDecay);
        }
    }
}
