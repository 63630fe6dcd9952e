package org.relprune.io.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Opens a file that may be gzip-compressed, judged by its first two bytes (1f 8b) rather than its
 * name: downloads are often decompressed by a browser but keep their {@code .gz} name, or the
 * other way round.
 *
 * @param stream the file's bytes, decompressed when {@code gzip}; buffered; the caller closes it
 */
record MaybeGzip(InputStream stream, boolean gzip) {
    private static final int BUFFER = 1 << 16;

    static MaybeGzip open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), BUFFER);
        try {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            if (b0 == 0x1f && b1 == 0x8b) {
                return new MaybeGzip(new BufferedInputStream(new GZIPInputStream(raw, BUFFER), BUFFER), true);
            }
            return new MaybeGzip(raw, false);
        } catch (IOException e) {
            raw.close();
            throw new DatasetFormatException(file, "corrupt or truncated gzip data: " + e.getMessage(), e);
        }
    }
}
