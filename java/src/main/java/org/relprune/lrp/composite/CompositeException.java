package org.relprune.lrp.composite;

/**
 * A composite that cannot be built or used: a bad spec string (the message names the bad token
 * and its column), an unknown preset, or a layer the composite has no rule for. An
 * IllegalArgumentException because it always comes from user input (CLI option, search config).
 */
public final class CompositeException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public CompositeException(String message) {
        super(message);
    }
}
