package org.relprune.model.zoo;

/** An architecture config that cannot be built: unknown preset, unknown field, bad value. */
public final class ArchitectureException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public ArchitectureException(String message) {
        super(message);
    }

    public ArchitectureException(String message, Throwable cause) {
        super(message, cause);
    }
}
