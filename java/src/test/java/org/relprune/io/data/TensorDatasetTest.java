package org.relprune.io.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.relprune.io.data.DataFiles.assertRejected;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relprune.io.safetensors.SafetensorsWriter;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Shape;

class TensorDatasetTest {
    @TempDir
    Path dir;

    /** Three 2x1x2 images with distinct, partly negative values (already normalized data). */
    private static HostTensor images(int n) {
        float[] v = new float[n * 4];
        for (int k = 0; k < v.length; k++) {
            v[k] = k * 0.5f - 2f;
        }
        return HostTensor.of(v, n, 2, 1, 2);
    }

    private Path file(SafetensorsWriter.Builder b) throws Exception {
        Path f = dir.resolve("data.safetensors");
        b.write(f);
        return f;
    }

    @Test
    void readsIntegerLabels() throws Exception {
        Path f = file(SafetensorsWriter.builder().addFloat("images", images(3))
                .addLongs("labels", Shape.of(3), new long[] {2, 0, 4}));
        ImageDataset d = TensorDataset.read(f);
        assertEquals(3, d.size());
        assertEquals(Shape.of(2, 1, 2), d.sampleShape());
        assertEquals(5, d.numClasses());
        assertTrue(d.normalized());
        assertArrayEquals(new int[] {2, 0, 4}, d.labels());
        assertArrayEquals(images(3).data(), d.batch(new int[] {0, 1, 2}).data());
        assertThrows(IllegalStateException.class, () -> d.normalized(new float[] {0, 0}, new float[] {1, 1}));
    }

    @Test
    void readsFloatLabelsHoldingIntegers() throws Exception {
        Path f = file(SafetensorsWriter.builder().addFloat("images", images(2))
                .addFloat("labels", HostTensor.of(new float[] {1f, 3f}, 2)));
        assertArrayEquals(new int[] {1, 3}, TensorDataset.read(f).labels());
    }

    @Test
    void metadataGivesClassCountAndNames() throws Exception {
        Path f = file(SafetensorsWriter.builder().addFloat("images", images(2))
                .addLongs("labels", Shape.of(2), new long[] {0, 1})
                .metadata("num_classes", "3").metadata("class_names", "[\"a\",\"b\",\"c\"]"));
        ImageDataset d = TensorDataset.read(f);
        assertEquals(3, d.numClasses());
        assertEquals(List.of("a", "b", "c"), d.classNames());
    }

    @Test
    void labelsLengthMismatch() throws Exception {
        Path f = file(SafetensorsWriter.builder().addFloat("images", images(3))
                .addLongs("labels", Shape.of(2), new long[] {0, 1}));
        assertRejected(f, () -> TensorDataset.read(f), "tensor 'labels'", "2 labels", "3 images");
    }

    @Test
    void fractionalLabelNamesTheIndex() throws Exception {
        Path f = file(SafetensorsWriter.builder().addFloat("images", images(3))
                .addFloat("labels", HostTensor.of(new float[] {0f, 1f, 1.5f}, 3)));
        assertRejected(f, () -> TensorDataset.read(f), "tensor 'labels'", "1.5", "index 2");
    }

    @Test
    void negativeLabelNamesTheIndex() throws Exception {
        Path f = file(SafetensorsWriter.builder().addFloat("images", images(3))
                .addLongs("labels", Shape.of(3), new long[] {0, -1, 1}));
        assertRejected(f, () -> TensorDataset.read(f), "tensor 'labels'", "-1", "index 1");
    }

    @Test
    void labelNotBelowDeclaredClassCount() throws Exception {
        Path f = file(SafetensorsWriter.builder().addFloat("images", images(3))
                .addLongs("labels", Shape.of(3), new long[] {0, 5, 1}).metadata("num_classes", "4"));
        assertRejected(f, () -> TensorDataset.read(f), "label 5 at index 1", "num_classes 4");
    }

    @Test
    void imagesMustBeRankFour() throws Exception {
        Path f = file(SafetensorsWriter.builder().addFloat("images", HostTensor.of(new float[6], 3, 2))
                .addLongs("labels", Shape.of(3), new long[] {0, 1, 1}));
        assertRejected(f, () -> TensorDataset.read(f), "tensor 'images'", "[N, C, H, W]");
    }

    @Test
    void missingTensorIsADatasetError() throws Exception {
        Path f = file(SafetensorsWriter.builder().addFloat("images", images(1)));
        assertRejected(f, () -> TensorDataset.read(f), "labels", "no such tensor");
    }
}
