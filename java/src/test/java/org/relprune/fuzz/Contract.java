package org.relprune.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Stream;

/**
 * What every parser harness asserts about a rejected input: the exception is one of the types the
 * parser documents (an {@link IOException}, or an {@link IllegalArgumentException} such as the
 * parser's own CompositeException or ArchitectureException), and its message is one non-blank line
 * a user can act on. Anything else thrown out of a parser (NullPointerException,
 * ArrayIndexOutOfBoundsException, NegativeArraySizeException, ClassCastException,
 * ArithmeticException, IllegalStateException, an OutOfMemoryError from a size field, ...) escapes
 * the harness and is a finding; so is a leaked NumberFormatException, which is an
 * IllegalArgumentException only by accident of the JDK's class hierarchy.
 */
final class Contract {
    private Contract() {
    }

    /** Checks a rejection; rethrows it (as the finding) when the contract is broken. */
    static void rejected(Exception e) {
        if (!(e instanceof IOException) && !(e instanceof IllegalArgumentException)) {
            throw new AssertionError("undocumented exception type: " + e, e);
        }
        if (e instanceof NumberFormatException || e instanceof PatternSyntaxException) {
            throw new AssertionError("internal exception leaked: " + e, e);
        }
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            throw new AssertionError("error without a message: " + e, e);
        }
        if (m.indexOf('\n') >= 0 || m.indexOf('\r') >= 0) {
            throw new AssertionError("error message is not one line: " + m, e);
        }
    }

    /** A scratch folder for one harness, deleted when the JVM exits. */
    static Path scratch(String name) {
        try {
            Path dir = Files.createTempDirectory("relprune-fuzz-" + name);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir)));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Empties a folder (keeping it), so each input starts from a clean layout. */
    static void clear(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).filter(p -> !p.equals(dir)).forEach(Contract::deleteQuietly);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path dir) {
        if (Files.exists(dir)) {
            clear(dir);
            deleteQuietly(dir);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort: a temp folder
        }
    }

    /** Big-endian unsigned 16-bit length at {@code at}, or 0 past the end. */
    static int u16(byte[] data, int at) {
        if (at + 1 >= data.length) {
            return 0;
        }
        return ((data[at] & 0xff) << 8) | (data[at + 1] & 0xff);
    }

    static byte[] slice(byte[] data, int from, int to) {
        int a = Math.min(Math.max(from, 0), data.length);
        int b = Math.min(Math.max(to, a), data.length);
        return java.util.Arrays.copyOfRange(data, a, b);
    }
}
