package org.relprune.io.data;

/**
 * The evaluation preprocessing of torchvision's ImageNet recipe, {@code Resize(resize)} then
 * {@code CenterCrop(crop)}, applied to {@code [C, H, W]} floats in [0, 1].
 *
 * <p>Semantics, chosen to match {@code torchvision.transforms.v2.functional.resize} on a float
 * tensor with {@code antialias=False} (= {@code torch.nn.functional.interpolate(mode="bilinear",
 * align_corners=False)}):
 * <ul>
 *   <li>Size: the shorter side becomes {@code resize}, the longer {@code int(resize * long / short)}
 *       (truncated), as torchvision computes it.
 *   <li>Bilinear, half-pixel centres: output pixel {@code o} samples source coordinate
 *       {@code (o + 0.5) * in / out - 0.5}, clamped below at 0; the two neighbours are
 *       {@code floor} and {@code min(floor + 1, in - 1)}.
 *   <li>No antialiasing: a strong downscale aliases, unlike PIL's resize (torchvision's default
 *       for PIL images), so values can differ from a PIL pipeline by more than rounding.
 *   <li>Computed on floats with no rounding to 8 bits in between (PIL rounds after resizing).
 *   <li>Crop offsets {@code round((size - crop) / 2)} with Python's round-half-to-even.
 * </ul>
 *
 * @param resize the shorter side after resizing
 * @param crop the side of the square centre crop; at most {@code resize}, so no padding is needed
 */
public record ImageTransform(int resize, int crop) {
    public ImageTransform {
        if (resize < 1 || crop < 1 || crop > resize) {
            throw new IllegalArgumentException("image transform needs 1 <= crop <= resize, got resize " + resize
                    + ", crop " + crop);
        }
    }

    /** torchvision's ImageNet evaluation sizes: resize 256, crop 224. */
    public static ImageTransform imagenet() {
        return new ImageTransform(256, 224);
    }

    /**
     * Resizes and crops one image.
     *
     * @param chw {@code channels * height * width} values, channel planes row-major
     * @return {@code channels * crop * crop} values
     */
    public float[] apply(float[] chw, int channels, int height, int width) {
        if (channels < 1 || height < 1 || width < 1 || chw.length != (long) channels * height * width) {
            throw new IllegalArgumentException("image of " + chw.length + " values is not " + channels + " x "
                    + height + " x " + width);
        }
        int outH;
        int outW;
        if (width <= height) {
            outW = resize;
            outH = (int) ((double) resize * height / width);
        } else {
            outH = resize;
            outW = (int) ((double) resize * width / height);
        }
        int top = (int) Math.rint((outH - crop) / 2.0);
        int left = (int) Math.rint((outW - crop) / 2.0);
        // Only the cropped window of the resized image is ever computed.
        Taps rows = Taps.of(height, outH, top, crop);
        Taps cols = Taps.of(width, outW, left, crop);
        float[] out = new float[channels * crop * crop];
        for (int c = 0; c < channels; c++) {
            int plane = c * height * width;
            for (int y = 0; y < crop; y++) {
                int r0 = plane + rows.lo[y] * width;
                int r1 = plane + rows.hi[y] * width;
                float wy0 = rows.wLo[y];
                float wy1 = rows.wHi[y];
                int o = (c * crop + y) * crop;
                for (int x = 0; x < crop; x++) {
                    int x0 = cols.lo[x];
                    int x1 = cols.hi[x];
                    float wx0 = cols.wLo[x];
                    float wx1 = cols.wHi[x];
                    // The order of PyTorch's CPU kernel: blend along x within each row, then the rows.
                    out[o + x] = wy0 * (wx0 * chw[r0 + x0] + wx1 * chw[r0 + x1])
                            + wy1 * (wx0 * chw[r1 + x0] + wx1 * chw[r1 + x1]);
                }
            }
        }
        return out;
    }

    /** For output positions {@code first .. first+count-1} of an {@code in -> out} resize: neighbours and weights. */
    private record Taps(int[] lo, int[] hi, float[] wLo, float[] wHi) {
        static Taps of(int in, int out, int first, int count) {
            Taps t = new Taps(new int[count], new int[count], new float[count], new float[count]);
            float scale = (float) in / out;
            for (int k = 0; k < count; k++) {
                float src = Math.max(0f, scale * (first + k + 0.5f) - 0.5f);
                int lo = Math.min((int) src, in - 1);
                float frac = src - lo;
                t.lo[k] = lo;
                t.hi[k] = Math.min(lo + 1, in - 1);
                t.wLo[k] = 1f - frac;
                t.wHi[k] = frac;
            }
            return t;
        }
    }
}
