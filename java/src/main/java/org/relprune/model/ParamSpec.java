package org.relprune.model;

import org.relprune.tensor.Shape;

/**
 * A named tensor the architecture expects in a weight file (torchvision naming).
 * Trainable parameters count towards the parameter total; buffers (BatchNorm running
 * statistics) do not. Optional entries (num_batches_tracked) may be absent.
 */
public record ParamSpec(String name, Shape shape, Kind kind) {
    public enum Kind { PARAMETER, BUFFER, OPTIONAL_BUFFER }

    public static ParamSpec parameter(String name, long... dims) {
        return new ParamSpec(name, Shape.of(dims), Kind.PARAMETER);
    }

    public static ParamSpec buffer(String name, long... dims) {
        return new ParamSpec(name, Shape.of(dims), Kind.BUFFER);
    }

    public static ParamSpec optional(String name, long... dims) {
        return new ParamSpec(name, Shape.of(dims), Kind.OPTIONAL_BUFFER);
    }

    public boolean trainable() {
        return kind == Kind.PARAMETER;
    }
}
