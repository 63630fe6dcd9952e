package org.relprune.io.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.relprune.tensor.Shape;

/**
 * Reads a torchvision {@code ImageFolder} layout: {@code root/<class>/.../<image>}. Classes are the
 * subfolders of {@code root} sorted by name (class index = position, as torchvision assigns it);
 * the images of a class are its {@code .png}, {@code .jpg} and {@code .jpeg} files (any case),
 * searched recursively and ordered as torchvision's {@code sorted(os.walk(...))} orders them (by
 * folder path, then file name). Other files are skipped. Each image is converted to RGB and
 * passed through an {@link ImageTransform}.
 *
 * <p>JPEG decoding is Java's, which can differ from libjpeg (PIL) by a unit of 1/255 in places.
 */
public final class ImageFolderDataset {
    /** The most pixels an image may declare; larger ones are refused before decoding. */
    static final long MAX_PIXELS = 8192L * 8192;

    private ImageFolderDataset() {
    }

    /**
     * Decodes all images with {@code threads} threads; the result does not depend on the thread
     * count. The first failing image in dataset order is the one reported.
     *
     * @throws DatasetFormatException when {@code root} has no class folders, a class folder has
     *     no images, or an image cannot be decoded (naming the image and its index)
     */
    public static ImageDataset read(Path root, ImageTransform transform, int threads) throws IOException {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        if (!Files.isDirectory(root)) {
            throw new DatasetFormatException(root, "not a folder; an image folder dataset is root/<class>/<image>");
        }
        List<Path> classDirs = subfolders(root);
        if (classDirs.isEmpty()) {
            throw new DatasetFormatException(root, "no class folders: expected root/<class>/<image>.png|jpg|jpeg");
        }
        List<String> classNames = new ArrayList<>();
        List<Path> images = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (Path dir : classDirs) {
            List<Path> found = imagesUnder(dir);
            if (found.isEmpty()) {
                throw new DatasetFormatException(dir, "class folder holds no .png, .jpg or .jpeg image");
            }
            for (Path p : found) {
                images.add(p);
                labels.add(classNames.size());
            }
            classNames.add(dir.getFileName().toString());
        }
        int crop = transform.crop();
        int sampleSize = 3 * crop * crop;
        if ((long) images.size() * sampleSize > IdxFile.MAX_ARRAY) {
            throw new DatasetFormatException(root, images.size() + " images of [3, " + crop + ", " + crop
                    + "] are more than one Java array holds; use a smaller folder or crop");
        }
        float[] pixels = new float[images.size() * sampleSize];
        decodeAll(images, transform, threads, pixels);
        return new ImageDataset(pixels, labels.stream().mapToInt(Integer::intValue).toArray(),
                Shape.of(3, crop, crop), classNames,
                root + " (ImageFolder, resize " + transform.resize() + ", crop " + crop + ")", false);
    }

    /** torchvision's rule: every subfolder is a class, hidden ones included. */
    private static List<Path> subfolders(Path root) throws IOException {
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(Files::isDirectory)
                    .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                    .toList();
        }
    }

    private static List<Path> imagesUnder(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir, FileVisitOption.FOLLOW_LINKS)) {
            return s.filter(p -> isImageName(p.getFileName().toString()))
                    .filter(Files::isRegularFile)
                    .sorted(Comparator.comparing((Path p) -> p.getParent().toString())
                            .thenComparing(p -> p.getFileName().toString()))
                    .toList();
        }
    }

    static boolean isImageName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg");
    }

    /**
     * Rejects an image whose header declares more than {@link #MAX_PIXELS} before anything is
     * decoded: a PNG or JPEG of a few bytes can declare 60000x60000, and decoding it would allocate
     * gigabytes (the raster, then three float planes).
     */
    private static void checkSize(Path file, int index) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                return; // ImageIO.read answers null: "not a readable PNG or JPEG image"
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
                if (pixels > MAX_PIXELS) {
                    throw new DatasetFormatException(file, "image " + index + ": " + reader.getWidth(0) + "x" + reader.getHeight(0)
                            + " pixels, more than the limit of " + MAX_PIXELS + " (8192x8192); downscale it first");
                }
            } finally {
                reader.dispose();
            }
        }
    }

    /** Each task writes only its own slice of {@code out}; {@link Future#get} publishes it. */
    private static void decodeAll(List<Path> images, ImageTransform transform, int threads, float[] out)
            throws IOException {
        int sampleSize = out.length / images.size();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, images.size()), r -> {
            Thread t = new Thread(r, "relprune-image-decode");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> pending = new ArrayList<>(images.size());
            for (int i = 0; i < images.size(); i++) {
                int index = i;
                pending.add(pool.submit(() -> {
                    float[] sample = decode(images.get(index), index, transform);
                    System.arraycopy(sample, 0, out, index * sampleSize, sampleSize);
                    return null;
                }));
            }
            for (Future<?> f : pending) {
                f.get();
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("image decoding failed", cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while decoding images");
        } finally {
            pool.shutdownNow();
        }
    }

    private static float[] decode(Path file, int index, ImageTransform transform) throws DatasetFormatException {
        BufferedImage image;
        try {
            checkSize(file, index);
            image = ImageIO.read(file.toFile());
        } catch (DatasetFormatException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // Decoders signal damaged data with IOExceptions and, for some damage, runtime exceptions.
            throw new DatasetFormatException(file, "image " + index + ": cannot decode: " + e, e);
        }
        if (image == null) {
            throw new DatasetFormatException(file, "image " + index + ": not a readable PNG or JPEG image");
        }
        return transform.apply(RgbPixels.of(image), 3, image.getHeight(), image.getWidth());
    }
}
