package org.relprune.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * SHA-256 fingerprints of what a result was made from, streamed (a file is never held in memory).
 * A file's is the plain sha256 of its bytes ({@code sha256sum FILE} prints the same). A folder's
 * is the sha256 of the lines {@code "<sha256 of the file>  <path relative to the folder>\n"} of
 * its files (every regular file below it that {@code include} accepts, '/' as separator, sorted
 * by that path in code-point order), which is what {@code cd DIR && sha256sum FILES | sha256sum}
 * prints when FILES lists them in that order: a file renamed, added, removed or changed changes it.
 */
public final class ContentHash {
    private static final int BUFFER = 1 << 16;

    private ContentHash() {
    }

    /** The sha256 of a file's bytes, as 64 lower-case hex digits. */
    public static String file(Path file) throws IOException {
        MessageDigest md = sha256();
        byte[] buf = new byte[BUFFER];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** The fingerprint of a folder's files that {@code include} accepts (see the class comment); throws when it accepts none. */
    public static String folder(Path folder, Predicate<Path> include) throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(folder)) {
            walk.filter(Files::isRegularFile).filter(include).forEach(files::add);
        }
        if (files.isEmpty()) {
            throw new IOException(folder + ": no files to fingerprint");
        }
        List<String> names = new ArrayList<>();
        for (Path f : files) {
            names.add(relative(folder, f));
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            order.add(i);
        }
        order.sort((a, b) -> compareCodePoints(names.get(a), names.get(b)));
        MessageDigest md = sha256();
        for (int i : order) {
            md.update((file(files.get(i)) + "  " + names.get(i) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** A file's sha256, or the fingerprint of every regular file below a folder, files and folders whose name starts with a dot left out. */
    public static String of(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            return folder(path, p -> {
                for (Path part : path.relativize(p)) {
                    if (part.toString().startsWith(".")) {
                        return false;
                    }
                }
                return true;
            });
        }
        return file(path);
    }

    private static String relative(Path folder, Path file) {
        StringBuilder b = new StringBuilder();
        for (Path part : folder.relativize(file)) {
            if (!b.isEmpty()) {
                b.append('/');
            }
            b.append(part);
        }
        return b.toString();
    }

    private static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
        }
    }
}
