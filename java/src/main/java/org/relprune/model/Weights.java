package org.relprune.model;

import org.relprune.tensor.Tensor;

/** Device tensors of a loaded model, by name (file names and derived '#' names). */
public interface Weights {
    /** The tensor; throws IllegalStateException naming it if absent. */
    Tensor get(String name);
}
