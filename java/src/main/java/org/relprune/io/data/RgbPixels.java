package org.relprune.io.data;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/**
 * A decoded image as {@code [3, H, W]} floats in [0, 1], the way PIL's {@code convert("RGB")}
 * sees it: grey values are replicated into R, G and B, alpha is dropped.
 *
 * <p>Grey images are read from the raster, not through {@link BufferedImage#getRGB}: Java treats
 * its grey colour space as linear and would gamma-convert the values (128 becomes 188),
 * while every other library keeps them as stored.
 */
final class RgbPixels {
    private RgbPixels() {
    }

    static float[] of(BufferedImage image) {
        int h = image.getHeight();
        int w = image.getWidth();
        int plane = h * w;
        float[] out = new float[3 * plane];
        ColorModel cm = image.getColorModel();
        if (!(cm instanceof IndexColorModel) && cm.getNumColorComponents() == 1) {
            Raster raster = image.getRaster();
            float max = (float) ((1L << cm.getComponentSize(0)) - 1);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    float v = raster.getSample(x, y, 0) / max;
                    int k = y * w + x;
                    out[k] = v;
                    out[plane + k] = v;
                    out[2 * plane + k] = v;
                }
            }
            return out;
        }
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int argb = row[x];
                int k = y * w + x;
                out[k] = ((argb >> 16) & 0xff) / 255f;
                out[plane + k] = ((argb >> 8) & 0xff) / 255f;
                out[2 * plane + k] = (argb & 0xff) / 255f;
            }
        }
        return out;
    }
}
