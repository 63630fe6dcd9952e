package org.relprune.io.data;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.function.Executable;

/** Writes small dataset files byte by byte, independently of the readers, and checks errors. */
final class DataFiles {
    private DataFiles() {
    }

    /** An IDX file: big-endian magic 0x000008nd, the dims, then {@code data}. */
    static byte[] idx(int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.putInt(0x0800 | dims.length);
        for (int d : dims) {
            b.putInt(d);
        }
        return b.put(data).array();
    }

    /** An IDX header with an arbitrary magic number. */
    static byte[] idxWithMagic(int magic, int[] dims, byte[] data) {
        byte[] bytes = idx(dims, data);
        ByteBuffer.wrap(bytes).putInt(0, magic);
        return bytes;
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    /** The pixel byte of a CIFAR test record: a pattern that differs per record, channel and position. */
    static int cifarPixel(int record, int k) {
        return (k * 7 + record * 31) & 0xff;
    }

    /** CIFAR records: each is the label bytes of one row of {@code labels}, then 3072 pattern pixels. */
    static byte[] cifar(int firstRecord, int[]... labels) {
        int labelBytes = labels[0].length;
        ByteBuffer b = ByteBuffer.allocate(labels.length * (labelBytes + 3072));
        for (int r = 0; r < labels.length; r++) {
            for (int l : labels[r]) {
                b.put((byte) l);
            }
            for (int k = 0; k < 3072; k++) {
                b.put((byte) cifarPixel(firstRecord + r, k));
            }
        }
        return b.array();
    }

    static Path write(Path file, byte[] bytes) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.write(file, bytes);
    }

    /**
     * Expects a {@link DatasetFormatException} whose message is one line, starts with
     * {@code path + ": "} and contains each of {@code words} (case-insensitive).
     */
    static DatasetFormatException assertRejected(Path path, Executable read, String... words) {
        DatasetFormatException e = assertThrows(DatasetFormatException.class, read);
        String m = e.getMessage();
        assertFalse(m.contains("\n") || m.contains("\r"), () -> "multi-line message: " + m);
        assertTrue(m.startsWith(path + ": "), () -> "message does not start with " + path + ": " + m);
        for (String w : words) {
            assertTrue(m.toLowerCase(Locale.ROOT).contains(w.toLowerCase(Locale.ROOT)),
                    () -> "message lacks '" + w + "': " + m);
        }
        return e;
    }
}
