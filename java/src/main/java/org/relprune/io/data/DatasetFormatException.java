package org.relprune.io.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A dataset file or folder that cannot be used as it is. The message is one line of the form
 * {@code <path>: <what is wrong>} (naming the sample index or image where one is at fault), so a
 * command can show it to the user unchanged.
 */
public final class DatasetFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Kept as a string: {@link Path} implementations are not serializable. */
    private final String file;

    public DatasetFormatException(Path file, String detail) {
        this(file, detail, null);
    }

    public DatasetFormatException(Path file, String detail, Throwable cause) {
        super(oneLine(file + ": " + detail), cause);
        this.file = String.valueOf(file);
    }

    /** The file or folder at fault, as the caller named it. */
    public String file() {
        return file;
    }

    /**
     * Re-reports a lower layer's error (whose message already starts with the path) as a dataset
     * error, so callers of the readers catch one type.
     */
    static DatasetFormatException wrap(Path file, IOException cause) {
        String m = String.valueOf(cause.getMessage());
        String prefix = file + ": ";
        return new DatasetFormatException(file, m.startsWith(prefix) ? m.substring(prefix.length()) : m, cause);
    }

    /** Line breaks can come from file names or wrapped decoder messages; one line keeps logs parseable. */
    private static String oneLine(String s) {
        return s.replaceAll("[ \\t]*[\\r\\n\\u2028\\u2029\\u0085]+[ \\t]*", " ").trim();
    }
}
