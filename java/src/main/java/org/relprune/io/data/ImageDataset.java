package org.relprune.io.data;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Shape;

/**
 * An immutable, in-memory set of labelled images: all pixels in one float32 array laid out
 * {@code [N, C, H, W]}, one int label per image, and the class names. Pixels are in [0, 1] as
 * read from image formats, or already normalized ({@link #normalized()}) when they came from a
 * tensor file or from {@link #normalized(float[], float[])}.
 *
 * <p>Nothing handed out aliases the internal arrays, so a dataset can be shared between threads.
 */
public final class ImageDataset {
    private final float[] pixels;
    private final int[] labels;
    private final Shape sampleShape;
    private final int sampleSize;
    private final List<String> classNames;
    private final String source;
    private final boolean normalized;

    /** Takes ownership of the arrays: only the readers and the factory (after copying) call it. */
    ImageDataset(float[] pixels, int[] labels, Shape sampleShape, List<String> classNames, String source,
                 boolean normalized) {
        this.pixels = Objects.requireNonNull(pixels, "pixels");
        this.labels = Objects.requireNonNull(labels, "labels");
        this.sampleShape = Objects.requireNonNull(sampleShape, "sampleShape");
        this.classNames = List.copyOf(classNames);
        this.source = Objects.requireNonNull(source, "source");
        this.normalized = normalized;
        if (sampleShape.rank() != 3) {
            throw new IllegalArgumentException("sample shape must be [C, H, W], got " + sampleShape);
        }
        this.sampleSize = sampleShape.numelInt();
        if ((long) labels.length * sampleSize != pixels.length) {
            throw new IllegalArgumentException(labels.length + " samples of " + sampleShape + " need "
                    + (long) labels.length * sampleSize + " pixel values, got " + pixels.length);
        }
        if (this.classNames.isEmpty()) {
            throw new IllegalArgumentException("a dataset needs at least one class");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= this.classNames.size()) {
                throw new IllegalArgumentException("label " + labels[i] + " of sample " + i + " is outside [0, "
                        + this.classNames.size() + ")");
            }
        }
    }

    /** A dataset from copies of the given arrays (for data made in memory). */
    public static ImageDataset of(float[] pixels, int[] labels, Shape sampleShape, List<String> classNames,
                                  String source, boolean normalized) {
        return new ImageDataset(pixels.clone(), labels.clone(), sampleShape, classNames, source, normalized);
    }

    /** Names "0", "1", ...: the classes of digit datasets and of files that carry no names. */
    static List<String> numberedClasses(int count) {
        String[] names = new String[count];
        for (int i = 0; i < count; i++) {
            names[i] = Integer.toString(i);
        }
        return List.of(names);
    }

    public int size() {
        return labels.length;
    }

    /** The shape of one image, {@code [C, H, W]}. */
    public Shape sampleShape() {
        return sampleShape;
    }

    public int numClasses() {
        return classNames.size();
    }

    /** Class names by class index; unmodifiable. */
    public List<String> classNames() {
        return classNames;
    }

    /** Where the data came from (path and format), for provenance in reports. */
    public String source() {
        return source;
    }

    /** True when the pixels are no longer in [0, 1] but standardized (tensor files, {@link #normalized(float[], float[])}). */
    public boolean normalized() {
        return normalized;
    }

    public int label(int i) {
        Objects.checkIndex(i, labels.length);
        return labels[i];
    }

    /** All labels, as a fresh array. */
    public int[] labels() {
        return labels.clone();
    }

    /** The given samples stacked as {@code [b, C, H, W]}, in the order given (repeats allowed). */
    public HostTensor batch(int[] indices) {
        float[] out = new float[Math.multiplyExact(indices.length, sampleSize)];
        for (int b = 0; b < indices.length; b++) {
            int i = Objects.checkIndex(indices[b], labels.length);
            System.arraycopy(pixels, i * sampleSize, out, b * sampleSize, sampleSize);
        }
        long[] dims = sampleShape.dims();
        return HostTensor.of(out, indices.length, dims[0], dims[1], dims[2]);
    }

    /** The given samples as a new dataset with the same classes, in the order given. */
    public ImageDataset subset(int[] indices) {
        int[] sub = new int[indices.length];
        for (int b = 0; b < indices.length; b++) {
            sub[b] = labels[Objects.checkIndex(indices[b], labels.length)];
        }
        return new ImageDataset(batch(indices).data(), sub, sampleShape, classNames,
                source + " subset of " + indices.length, normalized);
    }

    /**
     * Standardizes per channel, {@code (x - mean[c]) / std[c]}, as a new dataset marked normalized.
     *
     * @throws IllegalStateException when this dataset is already normalized (doing it twice is
     *     always a mistake)
     * @throws IllegalArgumentException when the lengths differ from the channel count or a std is
     *     not positive
     */
    public ImageDataset normalized(float[] mean, float[] std) {
        if (normalized) {
            throw new IllegalStateException("dataset " + source + " is already normalized");
        }
        int channels = (int) sampleShape.dim(0);
        if (mean.length != channels || std.length != channels) {
            throw new IllegalArgumentException("normalization needs " + channels + " means and stds (one per channel), got "
                    + mean.length + " and " + std.length);
        }
        for (int c = 0; c < channels; c++) {
            if (!(std[c] > 0) || !Float.isFinite(std[c]) || !Float.isFinite(mean[c])) {
                throw new IllegalArgumentException("channel " + c + ": mean " + mean[c] + " and std " + std[c]
                        + " must be finite with std > 0");
            }
        }
        int plane = sampleSize / channels;
        float[] out = new float[pixels.length];
        for (int p = 0; p < pixels.length; p++) {
            int c = (p % sampleSize) / plane;
            out[p] = (pixels[p] - mean[c]) / std[c];
        }
        return new ImageDataset(out, labels.clone(), sampleShape, classNames,
                source + " normalized(mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + ")", true);
    }

    /**
     * Per-channel mean and population standard deviation over every pixel of the given samples:
     * {@code {mean, std}}, each of length C. Accumulates in double, two passes, so millions of
     * pixels do not lose precision.
     *
     * @throws IllegalArgumentException for no indices
     */
    public static float[][] channelStats(ImageDataset data, int[] indices) {
        if (indices.length == 0) {
            throw new IllegalArgumentException("channel statistics need at least one sample");
        }
        int channels = (int) data.sampleShape.dim(0);
        int plane = data.sampleSize / channels;
        double count = (double) indices.length * plane;
        double[] sum = new double[channels];
        for (int index : indices) {
            int base = Objects.checkIndex(index, data.size()) * data.sampleSize;
            for (int c = 0; c < channels; c++) {
                for (int k = base + c * plane, end = k + plane; k < end; k++) {
                    sum[c] += data.pixels[k];
                }
            }
        }
        double[] squares = new double[channels];
        for (int index : indices) {
            int base = index * data.sampleSize;
            for (int c = 0; c < channels; c++) {
                double m = sum[c] / count;
                for (int k = base + c * plane, end = k + plane; k < end; k++) {
                    double d = data.pixels[k] - m;
                    squares[c] += d * d;
                }
            }
        }
        float[] mean = new float[channels];
        float[] std = new float[channels];
        for (int c = 0; c < channels; c++) {
            mean[c] = (float) (sum[c] / count);
            std[c] = (float) Math.sqrt(squares[c] / count);
        }
        return new float[][] {mean, std};
    }

    @Override
    public String toString() {
        return "ImageDataset[" + size() + " x " + sampleShape + ", " + numClasses() + " classes, " + source + "]";
    }
}
