package org.relprune.io.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Resize + centre crop against values worked out by hand for torch's bilinear interpolation with
 * {@code align_corners=False, antialias=False}: source coordinate {@code (o + 0.5) * in / out - 0.5}
 * clamped below at 0, neighbours {@code floor} and {@code min(floor + 1, in - 1)}.
 */
class ImageTransformTest {
    private static final float EPS = 1e-5f;

    /** A one-channel image with {@code f(y, x) = a*y + b*x}. */
    private static float[] linear(int h, int w, float a, float b) {
        float[] img = new float[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img[y * w + x] = a * y + b * x;
            }
        }
        return img;
    }

    @Test
    void fourBySixToShorterSideTwoCropTwoAveragesBlocks() {
        // 4 high, 6 wide -> 2 x int(2*6/4)=3. Sources: rows 0.5, 2.5; columns 0.5, 2.5, 4.5, so each
        // output is the mean of a 2x2 block. The crop's left offset is round(0.5) = 0 under Python's
        // half-to-even rounding (half-up would give 1 and the blocks at columns 2..5).
        float[] img = linear(4, 6, 10, 1);
        float[] out = new ImageTransform(2, 2).apply(img, 1, 4, 6);
        assertArrayEquals(new float[] {5.5f, 7.5f, 25.5f, 27.5f}, out, EPS);
    }

    @Test
    void upscaleClampsAtBothBorders() {
        // 2x2 -> 4x4: sources -0.25 (clamped to 0), 0.25, 0.75, 1.25 (neighbours 1 and min(2, 1) = 1),
        // so along each axis the weights give a, 0.75a+0.25b, 0.25a+0.75b, b.
        float[] img = {0, 1, 2, 3};
        float[] out = new ImageTransform(4, 4).apply(img, 1, 2, 2);
        assertArrayEquals(new float[] {
            0f, 0.25f, 0.75f, 1f,
            0.5f, 0.75f, 1.25f, 1.5f,
            1.5f, 1.75f, 2.25f, 2.5f,
            2f, 2.25f, 2.75f, 3f}, out, EPS);
    }

    @Test
    void portraitImageCropsTheMiddleRows() {
        // 5 high, 3 wide -> 4 wide, int(4*5/3) = 6 high; crop 3: top round(1.5) = 2, left round(0.5) = 0.
        // Rows 2..4 sample (o+0.5)*5/6-0.5 = 19/12, 29/12, 13/4; columns 0..2 sample
        // (o+0.5)*3/4-0.5 = 0 (clamped), 5/8, 11/8. Bilinear reproduces f(y, x) = 3y + x there.
        float[] out = new ImageTransform(4, 3).apply(linear(5, 3, 3, 1), 1, 5, 3);
        double[] ys = {19.0 / 12, 29.0 / 12, 13.0 / 4};
        double[] xs = {0, 5.0 / 8, 11.0 / 8};
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 3; x++) {
                assertEquals(3 * ys[y] + xs[x], out[y * 3 + x], EPS, "(" + y + "," + x + ")");
            }
        }
    }

    @Test
    void channelsAreResizedIndependently() {
        float[] one = linear(4, 6, 10, 1);
        float[] two = new float[2 * 24];
        for (int k = 0; k < 24; k++) {
            two[k] = one[k];
            two[24 + k] = 2 * one[k] + 1;
        }
        float[] out = new ImageTransform(2, 2).apply(two, 2, 4, 6);
        assertArrayEquals(new float[] {5.5f, 7.5f, 25.5f, 27.5f, 12f, 16f, 52f, 56f}, out, EPS);
    }

    @Test
    void sameSizeIsTheIdentity() {
        float[] img = new float[3 * 5 * 5];
        SplittableRandom r = new SplittableRandom(1);
        for (int k = 0; k < img.length; k++) {
            img[k] = (float) r.nextDouble();
        }
        assertArrayEquals(img, new ImageTransform(5, 5).apply(img, 3, 5, 5));
    }

    /** Against resize matrices built in double, for non-integer scale factors both ways. */
    @Test
    void matchesAMatrixFormulation() {
        // 7x11 -> 5 x int(55/7)=7, crop 4: top round(0.5)=0, left round(1.5)=2.
        check(7, 11, 5, 4, 0, 2);
        // 9x4 -> int(54/4)=13 x 6, crop 5: top round(4.0)=4, left round(0.5)=0.
        check(9, 4, 6, 5, 4, 0);
        // 3x3 -> 8x8 (upscale), crop 6: top = left = 1.
        check(3, 3, 8, 6, 1, 1);
    }

    /** Compares one case; {@code top}/{@code left} are the crop offsets worked out for it. */
    private static void check(int h, int w, int resize, int crop, int top, int left) {
        int outH = h <= w ? resize : (int) ((double) resize * h / w);
        int outW = h <= w ? (int) ((double) resize * w / h) : resize;
        float[] img = new float[h * w];
        SplittableRandom r = new SplittableRandom(h * 100 + w);
        for (int k = 0; k < img.length; k++) {
            img[k] = (float) r.nextDouble();
        }
        double[][] wy = weights(h, outH);
        double[][] wx = weights(w, outW);
        float[] out = new ImageTransform(resize, crop).apply(img, 1, h, w);
        for (int y = 0; y < crop; y++) {
            for (int x = 0; x < crop; x++) {
                double v = 0;
                for (int i = 0; i < h; i++) {
                    for (int j = 0; j < w; j++) {
                        v += wy[top + y][i] * img[i * w + j] * wx[left + x][j];
                    }
                }
                assertEquals(v, out[y * crop + x], 1e-5, h + "x" + w + " (" + y + "," + x + ")");
            }
        }
    }

    /** Row o spreads output o over the input: weight 1-l on floor(src), l on min(floor+1, in-1). */
    private static double[][] weights(int in, int out) {
        double[][] m = new double[out][in];
        for (int o = 0; o < out; o++) {
            double src = Math.max(0, (o + 0.5) * in / out - 0.5);
            int i0 = (int) Math.floor(src);
            double l = src - i0;
            m[o][i0] += 1 - l;
            m[o][Math.min(i0 + 1, in - 1)] += l;
        }
        return m;
    }

    @Test
    void imagenetDefaults() {
        assertEquals(new ImageTransform(256, 224), ImageTransform.imagenet());
        // 300 high, 500 wide: 256 x 426, cropped to 224 x 224.
        float[] out = ImageTransform.imagenet().apply(new float[3 * 300 * 500], 3, 300, 500);
        assertEquals(3 * 224 * 224, out.length);
    }

    @Test
    void invalidSizes() {
        assertThrows(IllegalArgumentException.class, () -> new ImageTransform(0, 0));
        assertThrows(IllegalArgumentException.class, () -> new ImageTransform(4, 5));
        assertThrows(IllegalArgumentException.class, () -> new ImageTransform(4, 4).apply(new float[5], 1, 2, 2));
    }
}
