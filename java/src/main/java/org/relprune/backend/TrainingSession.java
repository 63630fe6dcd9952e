package org.relprune.backend;

import java.util.Map;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Tensor;

/**
 * Weights being trained on a {@link TrainingBackend}, with their optimizer. A step takes the
 * logits of a forward pass made with {@link #weight}s, computes the mean cross-entropy against the
 * labels, back-propagates and updates the parameters.
 */
public interface TrainingSession extends AutoCloseable {
    TrainingBackend backend();

    /** The live tensor of a parameter or buffer (torchvision name). */
    Tensor weight(String name);

    /** One optimizer step; returns the batch's mean loss and its number of correct top-1 predictions. */
    Step step(Tensor logits, int[] labels);

    void learningRate(double lr);

    /** A copy of every parameter and buffer, as float32 host tensors. */
    Map<String, HostTensor> exportWeights();

    @Override
    void close();

    record Step(double loss, int correct) {
    }

    /** Starts a session: initial weights (parameters and buffers), the names that train, the optimizer. */
    @FunctionalInterface
    interface Opener {
        TrainingSession open(Map<String, HostTensor> initial, java.util.Set<String> trainable, OptimizerSpec optimizer);
    }
}
