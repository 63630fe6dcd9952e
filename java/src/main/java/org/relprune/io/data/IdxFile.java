package org.relprune.io.data;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.ZipException;

/**
 * One IDX file of unsigned bytes (the MNIST format): a big-endian magic {@code 0x000008nd},
 * {@code nd} big-endian dimension sizes, then exactly the row-major data.
 */
record IdxFile(Path file, int[] dims, byte[] data) {
    /** The largest array length the JVMs in use reliably allocate. */
    static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    /**
     * Reads and validates a file (plain or gzip).
     *
     * @param rank the number of dimensions the caller needs (3 for images, 1 for labels)
     */
    static IdxFile read(Path file, int rank) throws IOException {
        int expectedMagic = 0x0800 | rank;
        MaybeGzip opened = MaybeGzip.open(file);
        String after = opened.gzip() ? " (after decompression)" : "";
        try (DataInputStream in = new DataInputStream(opened.stream())) {
            int[] dims = new int[rank];
            int magic;
            try {
                magic = in.readInt();
                if (magic == expectedMagic) {
                    for (int d = 0; d < rank; d++) {
                        dims[d] = in.readInt();
                    }
                }
            } catch (EOFException e) {
                throw new DatasetFormatException(file, "truncated: the file ends inside its "
                        + (4 + 4 * rank) + "-byte header", e);
            }
            if (magic != expectedMagic) {
                throw new DatasetFormatException(file, String.format(
                        "bad magic number 0x%08X, expected 0x%08X (IDX unsigned bytes, %d dimension%s)",
                        magic, expectedMagic, rank, rank == 1 ? "" : "s"));
            }
            long expected = 1;
            for (int d = 0; d < rank; d++) {
                if (dims[d] <= 0) {
                    throw new DatasetFormatException(file, "header dims " + Arrays.toString(dims)
                            + ": each dimension must be positive");
                }
                expected *= dims[d];
                if (expected > MAX_ARRAY) {
                    throw new DatasetFormatException(file, "header dims " + Arrays.toString(dims)
                            + " declare more data than one Java array holds");
                }
            }
            // readNBytes grows its buffer as data arrives, so a lying header cannot force a huge allocation.
            byte[] data = in.readNBytes((int) expected);
            long extra = data.length < expected ? 0 : in.transferTo(OutputStream.nullOutputStream());
            if (data.length < expected || extra > 0) {
                throw new DatasetFormatException(file, (extra > 0 ? "too long" : "truncated") + ": header dims "
                        + Arrays.toString(dims) + " need " + expected + " data bytes, found " + (data.length + extra) + after);
            }
            return new IdxFile(file, dims, data);
        } catch (ZipException | EOFException e) {
            // A damaged or cut gzip stream surfaces from inside the reads above.
            throw new DatasetFormatException(file, "corrupt or truncated gzip data: " + e.getMessage(), e);
        }
    }
}
