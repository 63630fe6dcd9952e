package org.relprune.run;

import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.regex.Pattern;

/**
 * One-line error messages for people: the file, option, node or value at fault in one sentence,
 * never a Java class name, a library's advice or a C++ backtrace. The full trace stays available
 * with RELPRUNE_DEBUG=1.
 */
public final class ErrorLines {
    /** libtorch appends its C++ backtrace after this line. */
    private static final String NATIVE_TRACE = "Exception raised from";
    /** "java.io.EOFException: ", "com.google.gson.stream.MalformedJsonException: ", "ClassCastException: " inside a message. */
    private static final Pattern CLASS_NAME = Pattern.compile("\\b(?:[a-z][a-z0-9_]*\\.)*[A-Z]\\w*(?:Exception|Error)\\b:?\\s*");
    /** Gson's advice and troubleshooting links, meant for programmers. */
    private static final Pattern LIBRARY_ADVICE = Pattern.compile(
            "(?:\\s*Use JsonReader\\.setStrictness\\([^)]*\\) to accept malformed JSON)|(?:\\s*See https?://\\S+)");
    /** Exceptions that only a bug in relprune raises: their text (class names, member names) means nothing to a user. */
    private static final Class<?>[] INTERNAL = {NullPointerException.class, ClassCastException.class, IndexOutOfBoundsException.class,
        ArithmeticException.class, NegativeArraySizeException.class, UnsupportedOperationException.class};

    private ErrorLines() {
    }

    public static String oneLine(Throwable ex) {
        String msg = describe(ex);
        int trace = msg.indexOf(NATIVE_TRACE);
        if (trace >= 0) {
            msg = msg.substring(0, trace);
        }
        msg = LIBRARY_ADVICE.matcher(msg).replaceAll("");
        msg = CLASS_NAME.matcher(msg).replaceAll("");
        msg = msg.replaceAll("\\s+", " ").strip();
        if (msg.endsWith(" (") || msg.endsWith("(")) {
            msg = msg.substring(0, msg.lastIndexOf('(')).strip();
        }
        return msg.isEmpty() ? internal() : msg;
    }

    private static String describe(Throwable t) {
        for (Class<?> c : INTERNAL) {
            if (c.isInstance(t)) {
                return internal();
            }
        }
        if (t instanceof FileSystemException fse && fse.getFile() != null) {
            return fse.getFile() + ": " + reason(fse);
        }
        String msg = t.getMessage();
        if (msg == null || msg.isBlank()) {
            return t.getCause() != null && t.getCause() != t ? describe(t.getCause()) : internal();
        }
        return msg;
    }

    private static String reason(FileSystemException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file" + (e.getReason() != null ? " (" + e.getReason() + ")" : "");
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "already exists";
        }
        if (e instanceof NotDirectoryException) {
            return "not a folder";
        }
        if (e instanceof DirectoryNotEmptyException) {
            return "folder not empty";
        }
        String r = e.getReason();
        return r != null && !r.isBlank() ? r.toLowerCase(java.util.Locale.ROOT) : "cannot be read or written";
    }

    private static String internal() {
        return "internal error (a bug in relprune): rerun with RELPRUNE_DEBUG=1 to see where, and report it";
    }
}
