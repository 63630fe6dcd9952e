package org.relprune.io.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.relprune.io.data.DataFiles.assertRejected;
import static org.relprune.io.data.DataFiles.bytes;
import static org.relprune.io.data.DataFiles.gzip;
import static org.relprune.io.data.DataFiles.idx;
import static org.relprune.io.data.DataFiles.write;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Shape;

class IdxDatasetTest {
    @TempDir
    Path dir;

    /** Three 2x3 images whose pixel k of image i is 40*i + k (plus a 255 to test the top value). */
    private static final byte[] PIXELS = bytes(0, 1, 2, 3, 4, 255, 40, 41, 42, 43, 44, 45, 80, 81, 82, 83, 84, 85);
    private static final byte[] LABELS = bytes(3, 0, 9);

    private Path images(byte[] bytes) throws Exception {
        return write(dir.resolve("t-images-idx3-ubyte"), bytes);
    }

    private Path labels(byte[] bytes) throws Exception {
        return write(dir.resolve("t-labels-idx1-ubyte"), bytes);
    }

    private void assertContents(ImageDataset d) {
        assertEquals(3, d.size());
        assertEquals(Shape.of(1, 2, 3), d.sampleShape());
        assertEquals(10, d.numClasses());
        assertEquals(Arrays.asList("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), d.classNames());
        assertArrayEquals(new int[] {3, 0, 9}, d.labels());
        assertFalse(d.normalized());
        HostTensor all = d.batch(new int[] {0, 1, 2});
        assertEquals(Shape.of(3, 1, 2, 3), all.shape());
        for (int k = 0; k < PIXELS.length; k++) {
            assertEquals(Byte.toUnsignedInt(PIXELS[k]) / 255f, all.data()[k], "pixel " + k);
        }
        assertEquals(1f, all.data()[5]);
    }

    @Test
    void readsRawFiles() throws Exception {
        images(idx(new int[] {3, 2, 3}, PIXELS));
        labels(idx(new int[] {3}, LABELS));
        ImageDataset d = IdxDataset.read(dir);
        assertContents(d);
        assertTrue(d.source().contains(dir.toString()) && d.source().contains("IDX"), d.source());
    }

    @Test
    void readsGzippedFilesWithOrWithoutTheGzSuffix() throws Exception {
        write(dir.resolve("t-images-idx3-ubyte.gz"), gzip(idx(new int[] {3, 2, 3}, PIXELS)));
        // Gzip is detected by content: this one is compressed but not named so.
        labels(gzip(idx(new int[] {3}, LABELS)));
        assertContents(IdxDataset.read(dir));
    }

    @Test
    void truncatedImagesNameExpectedAndActualBytes() throws Exception {
        Path f = images(idx(new int[] {3, 2, 3}, Arrays.copyOf(PIXELS, 17)));
        labels(idx(new int[] {3}, LABELS));
        assertRejected(f, () -> IdxDataset.read(dir), "truncated", "need 18 data bytes", "found 17");
    }

    @Test
    void truncatedGzipDataSaysDecompressed() throws Exception {
        Path f = write(dir.resolve("t-images-idx3-ubyte.gz"), gzip(idx(new int[] {4, 2, 3}, PIXELS)));
        labels(idx(new int[] {4}, bytes(1, 2, 3, 4)));
        assertRejected(f, () -> IdxDataset.read(dir), "truncated", "need 24", "found 18", "after decompression");
    }

    @Test
    void cutGzipStreamIsReported() throws Exception {
        byte[] gz = gzip(idx(new int[] {3, 2, 3}, PIXELS));
        Path f = write(dir.resolve("t-images-idx3-ubyte.gz"), Arrays.copyOf(gz, gz.length - 12));
        labels(idx(new int[] {3}, LABELS));
        assertRejected(f, () -> IdxDataset.read(dir), "gzip");
    }

    @Test
    void trailingBytesAreRejected() throws Exception {
        Path f = images(idx(new int[] {3, 2, 3}, Arrays.copyOf(PIXELS, 20)));
        labels(idx(new int[] {3}, LABELS));
        assertRejected(f, () -> IdxDataset.read(dir), "too long", "need 18", "found 20");
    }

    @Test
    void truncatedHeader() throws Exception {
        Path f = images(Arrays.copyOf(idx(new int[] {3, 2, 3}, PIXELS), 10));
        labels(idx(new int[] {3}, LABELS));
        assertRejected(f, () -> IdxDataset.read(dir), "truncated", "header");
    }

    @Test
    void badMagicNumber() throws Exception {
        Path f = images(DataFiles.idxWithMagic(0x00000801, new int[] {3, 2, 3}, PIXELS));
        labels(idx(new int[] {3}, LABELS));
        assertRejected(f, () -> IdxDataset.read(dir), "bad magic number 0x00000801", "expected 0x00000803");
    }

    @Test
    void badLabelsMagicNumber() throws Exception {
        images(idx(new int[] {3, 2, 3}, PIXELS));
        Path f = labels(DataFiles.idxWithMagic(0x00000901, new int[] {3}, LABELS));
        assertRejected(f, () -> IdxDataset.read(dir), "bad magic number 0x00000901", "expected 0x00000801");
    }

    @Test
    void zeroDimensionIsRejected() throws Exception {
        Path f = images(idx(new int[] {3, 0, 3}, new byte[0]));
        labels(idx(new int[] {3}, LABELS));
        assertRejected(f, () -> IdxDataset.read(dir), "[3, 0, 3]", "positive");
    }

    @Test
    void labelCountMismatch() throws Exception {
        images(idx(new int[] {3, 2, 3}, PIXELS));
        Path f = labels(idx(new int[] {2}, bytes(1, 2)));
        assertRejected(f, () -> IdxDataset.read(dir), "2 labels", "3 images");
    }

    @Test
    void labelOutOfRangeNamesTheIndex() throws Exception {
        images(idx(new int[] {3, 2, 3}, PIXELS));
        Path f = labels(idx(new int[] {3}, bytes(1, 2, 10)));
        assertRejected(f, () -> IdxDataset.read(dir), "label 10 of sample 2", "0..9");
    }

    @Test
    void noImagesFile() throws Exception {
        labels(idx(new int[] {3}, LABELS));
        assertRejected(dir, () -> IdxDataset.read(dir), "exactly one IDX images file", "found none");
    }

    @Test
    void severalImagesFilesAreListed() throws Exception {
        write(dir.resolve("train-images-idx3-ubyte.gz"), gzip(idx(new int[] {3, 2, 3}, PIXELS)));
        write(dir.resolve("t10k-images-idx3-ubyte"), idx(new int[] {3, 2, 3}, PIXELS));
        labels(idx(new int[] {3}, LABELS));
        assertRejected(dir, () -> IdxDataset.read(dir), "found 2", "t10k-images-idx3-ubyte",
                "train-images-idx3-ubyte.gz");
    }

    @Test
    void aFileIsNotAFolder() throws Exception {
        Path f = images(idx(new int[] {3, 2, 3}, PIXELS));
        assertRejected(f, () -> IdxDataset.read(f), "not a folder");
        assertTrue(Files.exists(f));
    }
}
