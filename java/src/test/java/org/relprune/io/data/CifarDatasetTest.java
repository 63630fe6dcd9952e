package org.relprune.io.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.relprune.io.data.DataFiles.assertRejected;
import static org.relprune.io.data.DataFiles.cifar;
import static org.relprune.io.data.DataFiles.cifarPixel;
import static org.relprune.io.data.DataFiles.write;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Shape;

class CifarDatasetTest {
    private static final List<String> CIFAR10_NAMES = List.of("airplane", "automobile", "bird", "cat", "deer", "dog",
            "frog", "horse", "ship", "truck");

    @TempDir
    Path dir;

    /** Sample {@code i} of {@code d} holds the pattern of record {@code record}: R, G, B planes in file order. */
    private static void assertPixels(ImageDataset d, int i, int record) {
        HostTensor t = d.batch(new int[] {i});
        assertEquals(Shape.of(1, 3, 32, 32), t.shape());
        for (int k = 0; k < 3072; k++) {
            assertEquals(cifarPixel(record, k) / 255f, t.data()[k], "sample " + i + " value " + k);
        }
    }

    @Test
    void readsOneCifar10File() throws Exception {
        Path f = write(dir.resolve("data_batch_1.bin"), cifar(0, new int[] {7}, new int[] {0}, new int[] {9}));
        ImageDataset d = CifarDataset.read(f);
        assertEquals(3, d.size());
        assertEquals(Shape.of(3, 32, 32), d.sampleShape());
        assertEquals(10, d.numClasses());
        assertEquals("0", d.classNames().get(0));
        assertArrayEquals(new int[] {7, 0, 9}, d.labels());
        for (int i = 0; i < 3; i++) {
            assertPixels(d, i, i);
        }
        assertTrue(d.source().contains("CIFAR-10"), d.source());
    }

    @Test
    void folderReadsTrainingBatchesInNameOrderAndSkipsTheTestBatch() throws Exception {
        write(dir.resolve("data_batch_2.bin"), cifar(2, new int[] {5}));
        write(dir.resolve("data_batch_1.bin"), cifar(0, new int[] {1}, new int[] {2}));
        write(dir.resolve("test_batch.bin"), cifar(9, new int[] {3}));
        Files.write(dir.resolve("batches.meta.txt"), (String.join("\n", CIFAR10_NAMES) + "\n\n").getBytes(StandardCharsets.UTF_8));
        ImageDataset d = CifarDataset.read(dir);
        assertArrayEquals(new int[] {1, 2, 5}, d.labels());
        assertPixels(d, 0, 0);
        assertPixels(d, 1, 1);
        assertPixels(d, 2, 2);
        assertEquals(CIFAR10_NAMES, d.classNames());
    }

    @Test
    void testBatchIsReadWhenNamed() throws Exception {
        Path f = write(dir.resolve("test_batch.bin"), cifar(4, new int[] {3}));
        ImageDataset d = CifarDataset.read(f);
        assertArrayEquals(new int[] {3}, d.labels());
        assertPixels(d, 0, 4);
    }

    @Test
    void cifar100UsesTheFineLabel() throws Exception {
        write(dir.resolve("train.bin"), cifar(0, new int[] {19, 99}, new int[] {0, 42}));
        write(dir.resolve("test.bin"), cifar(5, new int[] {1, 1}));
        ImageDataset d = CifarDataset.read(dir);
        assertEquals(100, d.numClasses());
        assertArrayEquals(new int[] {99, 42}, d.labels());
        assertPixels(d, 0, 0);
        assertPixels(d, 1, 1);
        assertTrue(d.source().contains("CIFAR-100"), d.source());
        assertArrayEquals(new int[] {1}, CifarDataset.read(dir.resolve("test.bin")).labels());
    }

    @Test
    void cifar100ClassNamesFromTheTextFile() throws Exception {
        write(dir.resolve("train.bin"), cifar(0, new int[] {0, 3}));
        String[] names = new String[100];
        Arrays.setAll(names, i -> "class" + i);
        Files.write(dir.resolve("fine_label_names.txt"), String.join("\n", names).getBytes(StandardCharsets.UTF_8));
        assertEquals("class3", CifarDataset.read(dir).classNames().get(3));
    }

    @Test
    void wrongNumberOfClassNames() throws Exception {
        write(dir.resolve("data_batch_1.bin"), cifar(0, new int[] {0}));
        Path names = Files.write(dir.resolve("batches.meta.txt"), "cat\ndog\n".getBytes(StandardCharsets.UTF_8));
        assertRejected(names, () -> CifarDataset.read(dir), "2 class names", "10");
    }

    @Test
    void sizeNotAMultipleOfTheRecord() throws Exception {
        byte[] two = cifar(0, new int[] {1}, new int[] {2});
        Path f = write(dir.resolve("data_batch_1.bin"), Arrays.copyOf(two, two.length - 5));
        assertRejected(f, () -> CifarDataset.read(dir), "size 6141 bytes", "record size 3073");
    }

    @Test
    void cifar100FileOfCifar10RecordsIsRejectedBySize() throws Exception {
        Path f = write(dir.resolve("train.bin"), cifar(0, new int[] {1}, new int[] {2}));
        assertRejected(f, () -> CifarDataset.read(f), "size 6146 bytes", "record size 3074");
    }

    @Test
    void cifar10LabelOutOfRangeNamesTheRecord() throws Exception {
        write(dir.resolve("data_batch_1.bin"), cifar(0, new int[] {1}));
        Path f = write(dir.resolve("data_batch_2.bin"), cifar(1, new int[] {2}, new int[] {10}));
        assertRejected(f, () -> CifarDataset.read(dir), "label 10 of record 1", "0..9");
    }

    @Test
    void cifar100FineLabelOutOfRange() throws Exception {
        Path f = write(dir.resolve("train.bin"), cifar(0, new int[] {3, 100}));
        assertRejected(f, () -> CifarDataset.read(f), "label 100 of record 0", "0..99");
    }

    @Test
    void unknownFileName() throws Exception {
        Path f = write(dir.resolve("cifar.bin"), cifar(0, new int[] {3}));
        assertRejected(f, () -> CifarDataset.read(f), "data_batch_*.bin", "train.bin");
    }

    @Test
    void folderWithoutTrainingFilesExplainsTheTestFileRule() throws Exception {
        write(dir.resolve("test_batch.bin"), cifar(0, new int[] {3}));
        assertRejected(dir, () -> CifarDataset.read(dir), "no CIFAR training files", "named explicitly",
                "test_batch.bin");
    }
}
