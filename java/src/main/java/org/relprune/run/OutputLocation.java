package org.relprune.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a run will write, checked before it reads any data: a folder that is not a file, exists
 * (created now) and takes a file; a file whose folder does, that is not itself a folder; and an
 * existing result replaced only with --force. A run that fails these checks has lost nothing:
 * neither hours of work nor the user's files.
 */
public final class OutputLocation {
    private OutputLocation() {
    }

    /** A results folder given by {@code option}: refused when one of {@code results} exists there, unless {@code force}. */
    public static void folder(Path dir, String option, boolean force, String... results) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException(option + " " + dir + " is a file, not a folder");
        }
        for (String r : results) {
            if (!force && Files.exists(dir.resolve(r))) {
                throw new IllegalArgumentException(dir.resolve(r) + " exists; pass --force to replace it");
            }
        }
        writable(dir, option);
    }

    /** A file given by {@code option}: refused when it exists, unless {@code force}. */
    public static void file(Path file, String option, boolean force) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(option + " " + file + " is a folder, not a file");
        }
        if (!force && Files.exists(file)) {
            throw new IllegalArgumentException(file + " exists; pass --force to replace it");
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            if (Files.exists(parent) && !Files.isDirectory(parent)) {
                throw new IllegalArgumentException(option + " " + file + ": " + parent + " is a file, not a folder");
            }
            writable(parent, option);
        }
    }

    /** Creates the folder and writes (and deletes) a file in it: the one test that holds for every user, root included. */
    private static void writable(Path dir, String option) throws IOException {
        try {
            Files.createDirectories(dir);
            Files.delete(Files.createTempFile(dir, ".relprune-write-check", ".tmp"));
        } catch (IOException e) {
            throw new IllegalArgumentException(option + " " + dir + ": cannot write there (" + ErrorLines.oneLine(e) + ")", e);
        }
    }
}
