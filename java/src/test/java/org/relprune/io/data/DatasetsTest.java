package org.relprune.io.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.relprune.io.data.DataFiles.assertRejected;
import static org.relprune.io.data.DataFiles.cifar;
import static org.relprune.io.data.DataFiles.idx;
import static org.relprune.io.data.DataFiles.write;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relprune.io.safetensors.SafetensorsWriter;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Shape;

class DatasetsTest {
    @TempDir
    Path dir;

    @Test
    void safetensorsFile() throws Exception {
        Path f = dir.resolve("d.safetensors");
        SafetensorsWriter.builder().addFloat("images", HostTensor.of(new float[4], 1, 1, 2, 2))
                .addLongs("labels", Shape.of(1), new long[] {0}).write(f);
        assertTrue(Datasets.open(f).normalized());
    }

    @Test
    void idxFolder() throws Exception {
        write(dir.resolve("x-images-idx3-ubyte"), idx(new int[] {1, 1, 1}, new byte[1]));
        write(dir.resolve("x-labels-idx1-ubyte"), idx(new int[] {1}, new byte[1]));
        assertEquals(Shape.of(1, 1, 1), Datasets.open(dir).sampleShape());
    }

    @Test
    void cifarFileAndFolder() throws Exception {
        Path f = write(dir.resolve("c/data_batch_1.bin"), cifar(0, new int[] {4}));
        assertEquals(4, Datasets.open(f).label(0));
        assertEquals(4, Datasets.open(dir.resolve("c")).label(0));
        write(dir.resolve("h/train.bin"), cifar(0, new int[] {1, 77}));
        assertEquals(100, Datasets.open(dir.resolve("h")).numClasses());
    }

    @Test
    void imageFolderGetsTheImagenetTransform() throws Exception {
        Files.createDirectories(dir.resolve("k"));
        ImageIO.write(new BufferedImage(5, 5, BufferedImage.TYPE_INT_RGB), "png", dir.resolve("k/a.png").toFile());
        assertEquals(Shape.of(3, 224, 224), Datasets.open(dir).sampleShape());
    }

    @Test
    void unrecognizedLayoutsExplainWhatIsAccepted() throws Exception {
        Path missing = dir.resolve("missing");
        assertRejected(missing, () -> Datasets.open(missing), "no such file or folder");
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertRejected(empty, () -> Datasets.open(empty), "no dataset layout recognized", "accepted", "ImageFolder");
        Path txt = write(dir.resolve("notes.txt"), new byte[3]);
        assertRejected(txt, () -> Datasets.open(txt), "accepted", ".safetensors");
    }
}
