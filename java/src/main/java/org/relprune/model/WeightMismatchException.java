package org.relprune.model;

/** Weights that do not fit an architecture: missing, unexpected or wrongly shaped tensors. */
public final class WeightMismatchException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public WeightMismatchException(String message) {
        super(message);
    }
}
