package org.relprune.io.safetensors;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A safetensors file that cannot be used as it is. The message is always a single line of the form
 * {@code <file>: [tensor '<name>': ]<what is wrong>}, so it can be shown to a user unchanged; line
 * breaks coming from the file (tensor names) or from a wrapped parser message are flattened.
 */
public final class SafetensorsFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Kept as strings: {@link Path} implementations are not serializable. */
    private final String file;
    private final String tensor;

    public SafetensorsFormatException(Path file, String detail) {
        this(file, null, detail, null);
    }

    public SafetensorsFormatException(Path file, String tensor, String detail) {
        this(file, tensor, detail, null);
    }

    public SafetensorsFormatException(Path file, String tensor, String detail, Throwable cause) {
        super(format(file, tensor, detail), cause);
        this.file = String.valueOf(file);
        this.tensor = tensor;
    }

    /** The file at fault, as the caller named it. */
    public String file() {
        return file;
    }

    /** The tensor at fault, or {@code null} when the fault is not one tensor's. */
    public String tensor() {
        return tensor;
    }

    private static String format(Path file, String tensor, String detail) {
        StringBuilder sb = new StringBuilder().append(file).append(": ");
        if (tensor != null) {
            sb.append("tensor '").append(tensor).append("': ");
        }
        sb.append(detail);
        return oneLine(sb.toString());
    }

    /** Replaces each run of line breaks (and the spaces around them) with one space. */
    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("[ \\t]*[\\r\\n\\u2028\\u2029\\u0085]+[ \\t]*", " ").trim();
    }
}
