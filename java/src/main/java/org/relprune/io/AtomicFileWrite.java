package org.relprune.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file so that readers see either the old content or the complete new one: the body goes
 * to {@code <name>.tmp-<random>} in the same directory (so the rename cannot cross file systems),
 * is fsynced, and is then renamed over the target atomically. On any failure the temporary file
 * is deleted and the target is left untouched.
 */
public final class AtomicFileWrite {
    private static final int NAME_ATTEMPTS = 16;

    /** Writes the whole body to the channel (which is positioned at 0). */
    @FunctionalInterface
    public interface Body {
        void writeTo(FileChannel channel) throws IOException;
    }

    private AtomicFileWrite() {
    }

    /** Text as UTF-8. */
    public static void writeString(Path target, String text) throws IOException {
        byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        write(target, c -> {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                c.write(b);
            }
        });
    }

    public static void write(Path target, Body body) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path directory = absolute.getParent();
        if (directory == null || absolute.getFileName() == null) {
            throw new IOException(target + ": not a file path");
        }
        if (!Files.isDirectory(directory)) {
            // Creating directories is the caller's decision; say which one is missing.
            throw new NoSuchFileException(target.toString(), null,
                    "parent directory " + directory + " does not exist (create it first)");
        }
        if (Files.isDirectory(absolute)) {
            throw new IOException(target + ": is a directory");
        }
        Path temp = null;
        try {
            FileChannel channel = null;
            for (int attempt = 0; channel == null; attempt++) {
                temp = directory.resolve(absolute.getFileName() + ".tmp-"
                        + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()));
                try {
                    channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                } catch (FileAlreadyExistsException e) {
                    temp = null; // someone else's file: never delete it
                    if (attempt + 1 >= NAME_ATTEMPTS) {
                        throw e;
                    }
                }
            }
            try (FileChannel c = channel) {
                body.writeTo(c);
                c.force(true);
            }
            Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (Throwable t) {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException e) {
                    t.addSuppressed(e);
                }
            }
            throw t;
        }
        syncDirectory(directory);
    }

    /**
     * Makes the rename itself durable. Best effort: not every platform can open a directory as a
     * channel (Windows cannot), and the new file is complete and in place either way.
     */
    private static void syncDirectory(Path directory) {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | RuntimeException ignored) {
            // The data is already fsynced and renamed; only crash-durability of the rename is lost.
        }
    }
}
