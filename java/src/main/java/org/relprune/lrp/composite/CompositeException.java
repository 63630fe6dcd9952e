package org.relprune.lrp.composite;

/**
 * A composite that cannot be built or used: a bad spec string (the message names the bad token
 * and its column), an unknown preset, or a layer the composite has no rule for. An
 * IllegalArgumentException because it always comes from user input (CLI option, search config).
 * The message is always one line.
 */
public final class CompositeException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public CompositeException(String message) {
        super(oneLine(message));
    }

    /** Line breaks can come from the user's own text, quoted in the message; errors are one line. */
    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("[ \\t]*[\\r\\n\\u2028\\u2029\\u0085]+[ \\t]*", " ").trim();
    }
}
