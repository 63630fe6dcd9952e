package org.relprune.io.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.relprune.tensor.Shape;

/**
 * Reads the binary versions of CIFAR-10 and CIFAR-100. A record is the label byte(s) then 3072
 * pixel bytes: the red, green and blue 32x32 planes, row-major, which is already {@code [3, 32, 32]}.
 *
 * <ul>
 *   <li>CIFAR-10: {@code data_batch_1.bin} .. {@code data_batch_5.bin} and {@code test_batch.bin};
 *       1 label byte; 10 classes, named from {@code batches.meta.txt} when it is beside the data.
 *   <li>CIFAR-100: {@code train.bin} and {@code test.bin}; a coarse then a fine label byte; the
 *       fine label (100 classes) is used; names from {@code fine_label_names.txt} when present.
 * </ul>
 *
 * <p>The path may name one {@code .bin} file, or a folder: then every {@code data_batch_*.bin} is
 * read, in name order, or else {@code train.bin}. The test files ({@code test_batch.bin},
 * {@code test.bin}) are read only when named explicitly, so a folder never mixes training and
 * test images by accident.
 */
public final class CifarDataset {
    private static final int PIXELS = 3 * 32 * 32;
    private static final Pattern CIFAR10_TRAIN = Pattern.compile("data_batch_.*\\.bin");

    private CifarDataset() {
    }

    /** The two layouts: label bytes before the pixels, class count, where names may be. */
    private enum Variant {
        CIFAR10(1, 10, "batches.meta.txt"),
        CIFAR100(2, 100, "fine_label_names.txt");

        final int labelBytes;
        final int classes;
        final String namesFile;

        Variant(int labelBytes, int classes, String namesFile) {
            this.labelBytes = labelBytes;
            this.classes = classes;
            this.namesFile = namesFile;
        }

        int recordBytes() {
            return labelBytes + PIXELS;
        }

        String label() {
            return this == CIFAR10 ? "CIFAR-10" : "CIFAR-100";
        }
    }

    /**
     * Reads one {@code .bin} file or the training files of a folder (see the class comment).
     *
     * @throws DatasetFormatException for a file whose size is not a whole number of records, a
     *     label out of range, a class-names file with the wrong number of names, or a path that
     *     is neither a CIFAR file nor a folder holding some
     */
    public static ImageDataset read(Path path) throws IOException {
        List<Path> files;
        Variant variant;
        if (Files.isDirectory(path)) {
            List<Path> batches = list(path, p -> CIFAR10_TRAIN.matcher(name(p)).matches());
            Path train100 = path.resolve("train.bin");
            boolean has100 = Files.isRegularFile(train100);
            if (!batches.isEmpty() && has100) {
                throw new DatasetFormatException(path, "holds both CIFAR-10 (data_batch_*.bin) and CIFAR-100 "
                        + "(train.bin) files; name one file or separate them");
            }
            if (batches.isEmpty() && !has100) {
                List<String> bins = new ArrayList<>();
                list(path, p -> name(p).endsWith(".bin")).forEach(p -> bins.add(name(p)));
                throw new DatasetFormatException(path, "no CIFAR training files: expected data_batch_*.bin "
                        + "(CIFAR-10) or train.bin (CIFAR-100); test files are read only when named explicitly"
                        + (bins.isEmpty() ? "" : "; .bin files here: " + String.join(", ", bins)));
            }
            files = has100 ? List.of(train100) : batches;
            variant = has100 ? Variant.CIFAR100 : Variant.CIFAR10;
        } else {
            variant = variantOf(path);
            files = List.of(path);
        }
        return read(path, files, variant);
    }

    /** Whether a folder holds CIFAR training files, for {@link Datasets#open}. */
    static boolean looksLikeCifar(Path folder) throws IOException {
        return Files.isRegularFile(folder.resolve("train.bin"))
                || !list(folder, p -> CIFAR10_TRAIN.matcher(name(p)).matches()).isEmpty();
    }

    private static Variant variantOf(Path file) throws DatasetFormatException {
        String n = name(file);
        if (CIFAR10_TRAIN.matcher(n).matches() || n.equals("test_batch.bin")) {
            return Variant.CIFAR10;
        }
        if (n.equals("train.bin") || n.equals("test.bin")) {
            return Variant.CIFAR100;
        }
        // Both record sizes divide some file sizes, so the name is the only reliable signal.
        throw new DatasetFormatException(file, "cannot tell CIFAR-10 from CIFAR-100 by this name: expected "
                + "data_batch_*.bin or test_batch.bin (CIFAR-10), train.bin or test.bin (CIFAR-100)");
    }

    private static ImageDataset read(Path path, List<Path> files, Variant variant) throws IOException {
        int record = variant.recordBytes();
        long total = 0;
        for (Path f : files) {
            long size = Files.size(f);
            if (size == 0 || size % record != 0) {
                throw new DatasetFormatException(f, "size " + size + " bytes is not a positive multiple of the "
                        + variant.label() + " record size " + record + " (" + variant.labelBytes + " label byte"
                        + (variant.labelBytes == 1 ? "" : "s") + " + " + PIXELS + " pixel bytes)");
            }
            total += size / record;
        }
        if (total * PIXELS > IdxFile.MAX_ARRAY) {
            throw new DatasetFormatException(path, total + " images are more than one Java array holds");
        }
        int n = (int) total;
        float[] pixels = new float[n * PIXELS];
        int[] labels = new int[n];
        int sample = 0;
        for (Path f : files) {
            byte[] bytes = Files.readAllBytes(f);
            if (bytes.length % record != 0) {
                throw new DatasetFormatException(f, "changed size while being read");
            }
            for (int r = 0; r < bytes.length / record; r++, sample++) {
                int base = r * record;
                // CIFAR-100 records hold the coarse label first; the fine one (last label byte) is the class.
                int label = Byte.toUnsignedInt(bytes[base + variant.labelBytes - 1]);
                if (variant == Variant.CIFAR100 && Byte.toUnsignedInt(bytes[base]) >= 20) {
                    throw new DatasetFormatException(f, "coarse label " + Byte.toUnsignedInt(bytes[base])
                            + " of record " + r + " is outside 0..19");
                }
                if (label >= variant.classes) {
                    throw new DatasetFormatException(f, "label " + label + " of record " + r + " is outside 0.."
                            + (variant.classes - 1));
                }
                labels[sample] = label;
                int from = base + variant.labelBytes;
                int to = sample * PIXELS;
                for (int k = 0; k < PIXELS; k++) {
                    pixels[to + k] = Byte.toUnsignedInt(bytes[from + k]) / 255f;
                }
            }
        }
        List<String> names = classNames(files.get(0).toAbsolutePath().getParent(), variant);
        return new ImageDataset(pixels, labels, Shape.of(3, 32, 32), names, path + " (" + variant.label() + ")", false);
    }

    /** Names from the optional text file beside the data (one per line), else "0", "1", .... */
    private static List<String> classNames(Path folder, Variant variant) throws IOException {
        Path file = folder == null ? null : folder.resolve(variant.namesFile);
        if (file == null || !Files.isRegularFile(file)) {
            return ImageDataset.numberedClasses(variant.classes);
        }
        List<String> names = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                names.add(line.strip());
            }
        }
        if (names.size() != variant.classes) {
            throw new DatasetFormatException(file, "lists " + names.size() + " class names, " + variant.label()
                    + " has " + variant.classes);
        }
        return names;
    }

    private static List<Path> list(Path folder, Predicate<Path> keep) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(keep).filter(Files::isRegularFile).sorted().toList();
        }
    }

    private static String name(Path p) {
        Path n = p.getFileName();
        return n == null ? "" : n.toString();
    }
}
