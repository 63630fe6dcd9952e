package org.relprune.backend;

import org.relprune.tensor.Tensor;

/**
 * A backend whose operations are recorded for automatic differentiation, plus what only training
 * needs: BatchNorm with batch statistics that updates its running statistics in place.
 */
public interface TrainingBackend extends Backend {
    /**
     * torch.nn.BatchNorm2d in training mode over x [n, c, ...]: normalizes with the batch's mean and
     * biased variance, and updates runningMean/runningVar in place with {@code momentum} (unbiased
     * variance, as torch).
     */
    Tensor batchNormTraining(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar, double eps, double momentum);
}
