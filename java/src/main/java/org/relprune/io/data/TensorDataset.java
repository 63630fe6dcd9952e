package org.relprune.io.data;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.relprune.io.safetensors.SafetensorsFormatException;
import org.relprune.io.safetensors.SafetensorsReader;
import org.relprune.io.safetensors.TensorEntry;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Shape;

/**
 * Reads a dataset saved as tensors in a safetensors file: {@code images} {@code [N, C, H, W]} of a
 * floating dtype, already preprocessed (so the dataset is {@link ImageDataset#normalized()}), and
 * {@code labels} {@code [N]}, of an integer dtype or a floating one holding whole numbers.
 *
 * <p>Optional {@code __metadata__}: {@code num_classes} (a decimal integer; otherwise the largest
 * label + 1) and {@code class_names} (a JSON array of that many strings; otherwise "0", "1", ...).
 */
public final class TensorDataset {
    public static final String IMAGES = "images";
    public static final String LABELS = "labels";
    /** Bounds the class-name list a stray huge label (or num_classes) would otherwise allocate. */
    static final int MAX_CLASSES = 1 << 20;

    private TensorDataset() {
    }

    /**
     * @throws DatasetFormatException for a malformed file, missing tensors, wrong ranks, a
     *     sample-count mismatch, or a label that is negative, fractional or not below num_classes
     *     (naming the tensor and index)
     */
    public static ImageDataset read(Path file) throws IOException {
        try (SafetensorsReader reader = SafetensorsReader.open(file)) {
            TensorEntry imagesEntry = reader.entry(IMAGES);
            TensorEntry labelsEntry = reader.entry(LABELS);
            Shape shape = imagesEntry.shape();
            if (shape.rank() != 4 || !imagesEntry.dtype().isFloatingPoint()) {
                throw new DatasetFormatException(file, "tensor '" + IMAGES + "': must be a floating-point [N, C, H, W] "
                        + "tensor, is " + imagesEntry.dtype() + " " + shape);
            }
            if (labelsEntry.shape().rank() != 1) {
                throw new DatasetFormatException(file, "tensor '" + LABELS + "': must be [N], is " + labelsEntry.shape());
            }
            long n = shape.dim(0);
            if (labelsEntry.shape().dim(0) != n) {
                throw new DatasetFormatException(file, "tensor '" + LABELS + "': holds " + labelsEntry.shape().dim(0)
                        + " labels but '" + IMAGES + "' holds " + n + " images");
            }
            if (n == 0) {
                throw new DatasetFormatException(file, "holds no samples");
            }
            int[] labels = labels(file, reader, labelsEntry);
            List<String> names = classNames(file, reader.metadata(), labels);
            HostTensor images = reader.readFloat(IMAGES);
            return new ImageDataset(images.data(), labels, Shape.of(shape.dim(1), shape.dim(2), shape.dim(3)),
                    names, file + " (safetensors tensors)", true);
        } catch (SafetensorsFormatException e) {
            throw DatasetFormatException.wrap(file, e);
        }
    }

    private static int[] labels(Path file, SafetensorsReader reader, TensorEntry entry) throws IOException {
        int n = (int) entry.numel();
        int[] out = new int[n];
        if (entry.dtype().isFloatingPoint()) {
            float[] values = reader.readFloat(LABELS).data();
            for (int i = 0; i < n; i++) {
                float v = values[i];
                if (!(v >= 0 && v == Math.rint(v))) {
                    throw badLabel(file, i, Float.toString(v));
                }
                if (v >= MAX_CLASSES) {
                    throw tooLarge(file, i, Float.toString(v));
                }
                out[i] = (int) v;
            }
        } else {
            long[] values = reader.readLongs(LABELS);
            for (int i = 0; i < n; i++) {
                if (values[i] < 0) {
                    throw badLabel(file, i, Long.toString(values[i]));
                }
                if (values[i] >= MAX_CLASSES) {
                    throw tooLarge(file, i, Long.toString(values[i]));
                }
                out[i] = (int) values[i];
            }
        }
        return out;
    }

    private static DatasetFormatException badLabel(Path file, int index, String value) {
        return new DatasetFormatException(file, "tensor '" + LABELS + "': label " + value + " at index " + index
                + " is not a non-negative integer");
    }

    private static DatasetFormatException tooLarge(Path file, int index, String value) {
        return new DatasetFormatException(file, "tensor '" + LABELS + "': label " + value + " at index " + index
                + " exceeds the limit of " + MAX_CLASSES + " classes");
    }

    private static List<String> classNames(Path file, Map<String, String> metadata, int[] labels)
            throws DatasetFormatException {
        int max = 0;
        int argMax = 0;
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] > max) {
                max = labels[i];
                argMax = i;
            }
        }
        int numClasses = max + 1;
        String declared = metadata.get("num_classes");
        if (declared != null) {
            try {
                numClasses = Integer.parseInt(declared.strip());
            } catch (NumberFormatException e) {
                throw new DatasetFormatException(file, "metadata num_classes '" + declared + "' is not an integer");
            }
            if (numClasses > MAX_CLASSES) {
                throw new DatasetFormatException(file, "metadata num_classes " + numClasses + " exceeds the limit of "
                        + MAX_CLASSES);
            }
            if (numClasses <= max) {
                throw new DatasetFormatException(file, "tensor '" + LABELS + "': label " + max + " at index " + argMax
                        + " is not below metadata num_classes " + numClasses);
            }
        }
        String namesJson = metadata.get("class_names");
        if (namesJson == null) {
            return ImageDataset.numberedClasses(numClasses);
        }
        List<String> names = new ArrayList<>();
        try {
            JsonArray array = JsonParser.parseString(namesJson).getAsJsonArray();
            for (JsonElement e : array) {
                names.add(e.getAsString());
            }
        } catch (JsonParseException | IllegalStateException | UnsupportedOperationException e) {
            throw new DatasetFormatException(file, "metadata class_names is not a JSON array of strings");
        }
        if (names.size() != numClasses) {
            throw new DatasetFormatException(file, "metadata class_names lists " + names.size() + " names for "
                    + numClasses + " classes");
        }
        return names;
    }
}
