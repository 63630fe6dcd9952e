package org.relprune.model.zoo;

/** An architecture config that cannot be built: unknown preset, unknown field, bad value. Its message is one line. */
public final class ArchitectureException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public ArchitectureException(String message) {
        super(oneLine(message));
    }

    public ArchitectureException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    /** Line breaks can come from a config's own text, quoted in the message; errors are one line. */
    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("[ \\t]*[\\r\\n\\u2028\\u2029\\u0085]+[ \\t]*", " ").trim();
    }
}
