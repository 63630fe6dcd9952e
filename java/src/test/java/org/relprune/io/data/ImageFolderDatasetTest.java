package org.relprune.io.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.relprune.io.data.DataFiles.assertRejected;
import static org.relprune.io.data.DataFiles.write;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relprune.tensor.Shape;

class ImageFolderDatasetTest {
    /** Resize and crop to 3 on 3x3 images: every source pixel is sampled with weight 1. */
    private static final ImageTransform IDENTITY3 = new ImageTransform(3, 3);

    @TempDir
    Path root;

    /** An RGB image whose pixel (y, x) is {@code rgb.apply(y, x)} packed as 0xRRGGBB. */
    private Path png(String path, int h, int w, PixelFunction rgb) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rgb.at(y, x));
            }
        }
        return save(img, "png", path);
    }

    private Path save(BufferedImage img, String format, String path) throws Exception {
        Path f = root.resolve(path);
        Files.createDirectories(f.getParent());
        assertTrue(ImageIO.write(img, format, f.toFile()), "no " + format + " writer");
        return f;
    }

    @FunctionalInterface
    private interface PixelFunction {
        int at(int y, int x);
    }

    private static int rgb(int r, int g, int b) {
        return (r << 16) | (g << 8) | b;
    }

    /** Asserts pixel (y, x) of sample i, all three channels, against 8-bit values. */
    private static void assertPixel(ImageDataset d, int i, int y, int x, int r, int g, int b, float tolerance) {
        float[] s = d.batch(new int[] {i}).data();
        int side = (int) d.sampleShape().dim(1);
        int plane = side * side;
        int k = y * side + x;
        String where = "sample " + i + " (" + y + "," + x + ")";
        assertEquals(r / 255f, s[k], tolerance, where + " R");
        assertEquals(g / 255f, s[plane + k], tolerance, where + " G");
        assertEquals(b / 255f, s[2 * plane + k], tolerance, where + " B");
    }

    @Test
    void classesFilesOrderAndExactPixels() throws Exception {
        png("cat/a.png", 3, 3, (y, x) -> rgb(10 * y + x, 100 + y, 255 - x));
        BufferedImage gray = new BufferedImage(3, 3, BufferedImage.TYPE_BYTE_GRAY);
        for (int k = 0; k < 9; k++) {
            gray.getRaster().setSample(k % 3, k / 3, 0, 120 + k);
        }
        save(gray, "png", "cat/b.PNG");
        BufferedImage jpeg = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        for (int k = 0; k < 64; k++) {
            jpeg.setRGB(k % 8, k / 8, rgb(200, 100, 50));
        }
        save(jpeg, "jpg", "dog/c.jpg");
        Files.writeString(root.resolve("dog/notes.txt"), "not an image");
        BufferedImage rgba = new BufferedImage(3, 3, BufferedImage.TYPE_INT_ARGB);
        for (int k = 0; k < 9; k++) {
            rgba.setRGB(k % 3, k / 3, (128 << 24) | rgb(10, 20, 30 + k));
        }
        save(rgba, "png", "dog/sub/d.png");
        png("dog/z.png", 3, 3, (y, x) -> rgb(1, 2, 3));

        ImageDataset d = ImageFolderDataset.read(root, IDENTITY3, 2);
        assertEquals(List.of("cat", "dog"), d.classNames());
        assertEquals(5, d.size());
        assertEquals(Shape.of(3, 3, 3), d.sampleShape());
        assertArrayEquals(new int[] {0, 0, 1, 1, 1}, d.labels());
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 3; x++) {
                assertPixel(d, 0, y, x, 10 * y + x, 100 + y, 255 - x, 0f);
                int v = 120 + 3 * y + x;
                // Grey is replicated as stored, not gamma-converted (128 would become 188).
                assertPixel(d, 1, y, x, v, v, v, 0f);
                // torchvision's os.walk order: files of dog/ (c.jpg, z.png) before dog/sub/.
                assertPixel(d, 3, y, x, 1, 2, 3, 0f);
                // Alpha is dropped, colour kept unpremultiplied.
                assertPixel(d, 4, y, x, 10, 20, 30 + 3 * y + x, 0f);
            }
        }
        // The 8x8 JPEG is resized to 3x3; a flat colour survives JPEG within a few levels.
        assertPixel(d, 2, 1, 1, 200, 100, 50, 3f / 255);
        assertTrue(d.source().contains("ImageFolder"), d.source());
    }

    @Test
    void anImageDeclaringHugeDimensionsIsRefusedBeforeDecoding() throws Exception {
        // a 70-byte PNG whose header says 20000x20000: decoding it allocated a 1.6 GB raster, then 4.8 GB of floats
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB), "png", out);
        byte[] b = out.toByteArray();
        java.nio.ByteBuffer.wrap(b).putInt(16, 20000).putInt(20, 20000); // IHDR width, height (the CRC is not checked)
        Path image = write(root.resolve("big/0.png"), b);
        assertRejected(image, () -> ImageFolderDataset.read(root, new ImageTransform(8, 8), 1),
                "image 0: 20000x20000 pixels, more than the limit of 67108864");
    }

    @Test
    void resizeAndCropThroughTheReader() throws Exception {
        // 4 high, 6 wide, shorter side 2, crop 2: means of the 2x2 blocks at columns 0..3 (see ImageTransformTest).
        png("only/a.png", 4, 6, (y, x) -> rgb(10 * y + x, 2 * (10 * y + x), 100));
        ImageDataset d = ImageFolderDataset.read(root, new ImageTransform(2, 2), 1);
        float eps = 1e-6f;
        float[] s = d.batch(new int[] {0}).data();
        assertArrayEquals(new float[] {5.5f / 255, 7.5f / 255, 25.5f / 255, 27.5f / 255}, Arrays.copyOfRange(s, 0, 4), eps);
        assertArrayEquals(new float[] {11f / 255, 15f / 255, 51f / 255, 55f / 255}, Arrays.copyOfRange(s, 4, 8), eps);
        assertArrayEquals(new float[] {100f / 255, 100f / 255, 100f / 255, 100f / 255}, Arrays.copyOfRange(s, 8, 12), eps);
    }

    @Test
    void resultDoesNotDependOnTheThreadCount() throws Exception {
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 13; i++) {
            int seed = r.nextInt();
            png("c" + (i % 3) + "/img" + i + ".png", 5 + i % 4, 7, (y, x) -> (seed * 31 + y * 7919 + x * 104729) & 0xffffff);
        }
        ImageTransform t = new ImageTransform(4, 3);
        ImageDataset one = ImageFolderDataset.read(root, t, 1);
        ImageDataset many = ImageFolderDataset.read(root, t, 5);
        int[] all = ClassShuffle.all(13);
        assertArrayEquals(one.batch(all).data(), many.batch(all).data());
        assertArrayEquals(one.labels(), many.labels());
    }

    @Test
    void corruptPngNamesTheImageAndItsIndex() throws Exception {
        png("a/0.png", 3, 3, (y, x) -> 0);
        Path bad = write(root.resolve("a/1.png"), "\u0089PNG this is not really a PNG".getBytes());
        png("a/2.png", 3, 3, (y, x) -> 0);
        assertRejected(bad, () -> ImageFolderDataset.read(root, IDENTITY3, 3), "image 1");
    }

    @Test
    void truncatedPngNamesTheImageAndItsIndex() throws Exception {
        png("a/0.png", 3, 3, (y, x) -> 0);
        Path good = png("b/0.png", 16, 16, (y, x) -> x * y);
        byte[] bytes = Files.readAllBytes(good);
        Files.write(good, Arrays.copyOf(bytes, bytes.length / 2));
        assertRejected(good, () -> ImageFolderDataset.read(root, IDENTITY3, 2), "image 1");
    }

    @Test
    void emptyClassFolderIsNamed() throws Exception {
        png("a/0.png", 3, 3, (y, x) -> 0);
        Files.createDirectories(root.resolve("b"));
        Files.writeString(root.resolve("b/readme.txt"), "no images here");
        assertRejected(root.resolve("b"), () -> ImageFolderDataset.read(root, IDENTITY3, 1), "no .png, .jpg or .jpeg");
    }

    @Test
    void noClassFolders() throws Exception {
        png("x.png", 3, 3, (y, x) -> 0);
        assertRejected(root, () -> ImageFolderDataset.read(root, IDENTITY3, 1), "no class folders");
    }
}
