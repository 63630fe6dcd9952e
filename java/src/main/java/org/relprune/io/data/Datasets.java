package org.relprune.io.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;
import org.relprune.io.ContentHash;

/** Picks the reader for a dataset path by its layout, so commands take one {@code --data PATH}. */
public final class Datasets {
    /** What {@link #open} accepts, for error messages. */
    static final String LAYOUTS = "accepted: a .safetensors file with 'images' [N,C,H,W] and 'labels' [N]; "
            + "a folder with one *-images-idx3-ubyte and one *-labels-idx1-ubyte file (optionally .gz); "
            + "a CIFAR .bin file, or a folder with data_batch_*.bin (CIFAR-10) or train.bin (CIFAR-100); "
            + "a folder of class subfolders holding .png/.jpg/.jpeg images (ImageFolder)";

    private Datasets() {
    }

    /**
     * Opens a dataset, checking the layouts in this order: a {@code .safetensors} file
     * ({@link TensorDataset}); a {@code .bin} file ({@link CifarDataset}); a folder with IDX files
     * ({@link IdxDataset}); a folder with CIFAR training files; a folder with subfolders
     * ({@link ImageFolderDataset}, ImageNet transform, one thread per processor).
     *
     * @throws DatasetFormatException when the path matches none of them, or from the reader
     */
    public static ImageDataset open(Path path) throws IOException {
        if (Files.isRegularFile(path)) {
            String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
            if (name.endsWith(".safetensors")) {
                return TensorDataset.read(path);
            }
            if (name.endsWith(".bin")) {
                return CifarDataset.read(path);
            }
            throw new DatasetFormatException(path, "not a dataset file (IDX files are read by naming their folder); "
                    + LAYOUTS);
        }
        if (!Files.isDirectory(path)) {
            throw new DatasetFormatException(path, "no such file or folder");
        }
        if (IdxDataset.looksLikeIdx(path)) {
            return IdxDataset.read(path);
        }
        if (CifarDataset.looksLikeCifar(path)) {
            return CifarDataset.read(path);
        }
        if (hasSubfolder(path)) {
            return ImageFolderDataset.read(path, ImageTransform.imagenet(), Runtime.getRuntime().availableProcessors());
        }
        throw new DatasetFormatException(path, "no dataset layout recognized; " + LAYOUTS);
    }

    /**
     * A content fingerprint of the dataset at {@code path} (sha256, see {@link ContentHash}): of
     * the file itself, or of a folder's data files, those whose names end in {@code -ubyte},
     * {@code -ubyte.gz}, {@code .bin}, {@code .png}, {@code .jpg} or {@code .jpeg} (any case) at
     * any depth, dot-files and dot-folders left out. That covers every file a reader takes from
     * the folder, so a changed image, batch or IDX file changes the fingerprint while a README
     * beside them does not. It reads every byte once (what opening the dataset reads anyway).
     */
    public static String fingerprint(Path path) throws IOException {
        if (!Files.isDirectory(path)) {
            if (!Files.isRegularFile(path)) {
                throw new DatasetFormatException(path, "no such file or folder");
            }
            return ContentHash.file(path);
        }
        return ContentHash.folder(path, p -> {
            for (Path part : path.relativize(p)) {
                if (part.toString().startsWith(".")) {
                    return false;
                }
            }
            String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
            return n.endsWith("-ubyte") || n.endsWith("-ubyte.gz") || n.endsWith(".bin") || ImageFolderDataset.isImageName(n);
        });
    }

    private static boolean hasSubfolder(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.anyMatch(Files::isDirectory);
        }
    }
}
