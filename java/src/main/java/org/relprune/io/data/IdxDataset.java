package org.relprune.io.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.relprune.tensor.Shape;

/**
 * Reads an MNIST-style IDX dataset: a folder holding exactly one images file
 * ({@code *-images-idx3-ubyte}, magic 0x803, {@code [N, H, W]} unsigned bytes) and one labels file
 * ({@code *-labels-idx1-ubyte}, magic 0x801, {@code [N]}), each optionally gzipped (judged by
 * content; a {@code .gz} suffix is allowed). The dot spelling {@code images.idx3-ubyte} of some
 * mirrors is accepted too. Images become {@code [1, H, W]} floats {@code byte / 255}; there are
 * 10 classes named "0".."9".
 */
public final class IdxDataset {
    static final int NUM_CLASSES = 10;
    private static final Pattern IMAGES = Pattern.compile(".*images[-.]idx3-ubyte(\\.gz)?");
    private static final Pattern LABELS = Pattern.compile(".*labels[-.]idx1-ubyte(\\.gz)?");

    private IdxDataset() {
    }

    /**
     * Reads the pair of files in {@code folder}.
     *
     * @throws DatasetFormatException when the folder does not hold exactly one pair, or a file is
     *     malformed, truncated, disagrees with the other or holds a label outside 0..9
     */
    public static ImageDataset read(Path folder) throws IOException {
        Path imagesFile = single(folder, IMAGES, "images", "*-images-idx3-ubyte[.gz]");
        Path labelsFile = single(folder, LABELS, "labels", "*-labels-idx1-ubyte[.gz]");
        IdxFile images = IdxFile.read(imagesFile, 3);
        IdxFile labelData = IdxFile.read(labelsFile, 1);
        int n = images.dims()[0];
        if (labelData.dims()[0] != n) {
            throw new DatasetFormatException(labelsFile, "holds " + labelData.dims()[0] + " labels but "
                    + imagesFile.getFileName() + " holds " + n + " images");
        }
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = Byte.toUnsignedInt(labelData.data()[i]);
            if (labels[i] >= NUM_CLASSES) {
                throw new DatasetFormatException(labelsFile, "label " + labels[i] + " of sample " + i
                        + " is outside 0.." + (NUM_CLASSES - 1));
            }
        }
        byte[] bytes = images.data();
        float[] pixels = new float[bytes.length];
        for (int k = 0; k < bytes.length; k++) {
            pixels[k] = Byte.toUnsignedInt(bytes[k]) / 255f;
        }
        Shape sample = Shape.of(1, images.dims()[1], images.dims()[2]);
        return new ImageDataset(pixels, labels, sample, ImageDataset.numberedClasses(NUM_CLASSES),
                folder + " (IDX)", false);
    }

    /** Whether {@code folder} holds any IDX images or labels file, for {@link Datasets#open}. */
    static boolean looksLikeIdx(Path folder) throws IOException {
        return !matching(folder, IMAGES).isEmpty() || !matching(folder, LABELS).isEmpty();
    }

    private static Path single(Path folder, Pattern pattern, String what, String expected) throws IOException {
        if (!Files.isDirectory(folder)) {
            throw new DatasetFormatException(folder, "not a folder; an IDX dataset is a folder holding one "
                    + "*-images-idx3-ubyte and one *-labels-idx1-ubyte file (optionally .gz)");
        }
        List<Path> found = matching(folder, pattern);
        if (found.size() != 1) {
            List<String> names = new ArrayList<>();
            found.forEach(p -> names.add(p.getFileName().toString()));
            throw new DatasetFormatException(folder, "needs exactly one IDX " + what + " file (" + expected
                    + "), found " + (found.isEmpty() ? "none" : found.size() + ": " + String.join(", ", names)));
        }
        return found.get(0);
    }

    private static List<Path> matching(Path folder, Pattern pattern) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(p -> pattern.matcher(p.getFileName().toString()).matches())
                    .filter(Files::isRegularFile)
                    .sorted()
                    .toList();
        }
    }
}
