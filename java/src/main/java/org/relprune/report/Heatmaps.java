package org.relprune.report;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import javax.imageio.ImageIO;
import org.relprune.tensor.HostTensor;

/**
 * One PNG per input: the image (min-max scaled per sample) beside its relevance map (summed over
 * channels; red positive, blue negative, white zero, scaled by the largest |relevance| of the
 * sample). Small images are enlarged by pixel repetition so that they stay legible.
 */
public final class Heatmaps {
    private Heatmaps() {
    }

    /** Writes DIR/0.png, DIR/1.png, ... for inputs and relevance of shape [n, C, H, W]; returns the count. */
    public static int write(Path dir, HostTensor input, HostTensor relevance) throws IOException {
        if (!input.shape().equals(relevance.shape()) || input.shape().rank() != 4) {
            throw new IllegalArgumentException("heatmaps need input and relevance of one shape [n, C, H, W], got "
                    + input.shape() + " and " + relevance.shape());
        }
        Files.createDirectories(dir);
        int n = (int) input.shape().dim(0);
        int c = (int) input.shape().dim(1);
        int h = (int) input.shape().dim(2);
        int w = (int) input.shape().dim(3);
        int scale = Math.max(1, 128 / Math.max(h, w));
        for (int i = 0; i < n; i++) {
            BufferedImage img = new BufferedImage(2 * w * scale + scale, h * scale, BufferedImage.TYPE_INT_RGB);
            drawInput(img, input.data(), i, c, h, w, scale);
            drawRelevance(img, relevance.data(), i, c, h, w, scale, w * scale + scale);
            Path out = dir.resolve(i + ".png");
            Path tmp = Files.createTempFile(dir, i + ".png", ".tmp");
            try {
                ImageIO.write(img, "png", tmp.toFile());
                Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        return n;
    }

    private static void drawInput(BufferedImage img, float[] x, int i, int c, int h, int w, int s) {
        int base = i * c * h * w;
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (int k = 0; k < c * h * w; k++) {
            lo = Math.min(lo, x[base + k]);
            hi = Math.max(hi, x[base + k]);
        }
        float range = hi > lo ? hi - lo : 1;
        for (int y = 0; y < h; y++) {
            for (int xx = 0; xx < w; xx++) {
                int[] rgb = new int[3];
                for (int ch = 0; ch < 3; ch++) {
                    int src = c >= 3 ? ch : 0;
                    rgb[ch] = Math.round(255 * (x[base + (src * h + y) * w + xx] - lo) / range);
                }
                fill(img, xx * s, y * s, s, (rgb[0] << 16) | (rgb[1] << 8) | rgb[2]);
            }
        }
    }

    private static void drawRelevance(BufferedImage img, float[] r, int i, int c, int h, int w, int s, int offset) {
        int base = i * c * h * w;
        double[] map = new double[h * w];
        double max = 0;
        for (int p = 0; p < h * w; p++) {
            double v = 0;
            for (int ch = 0; ch < c; ch++) {
                v += r[base + ch * h * w + p];
            }
            map[p] = v;
            max = Math.max(max, Math.abs(v));
        }
        for (int p = 0; p < h * w; p++) {
            double t = max > 0 ? map[p] / max : 0; // [-1, 1]
            int fade = (int) Math.round(255 * (1 - Math.abs(t)));
            int rgb = t >= 0 ? (255 << 16) | (fade << 8) | fade : (fade << 16) | (fade << 8) | 255;
            fill(img, offset + (p % w) * s, (p / w) * s, s, rgb);
        }
    }

    private static void fill(BufferedImage img, int x0, int y0, int s, int rgb) {
        for (int dy = 0; dy < s; dy++) {
            for (int dx = 0; dx < s; dx++) {
                img.setRGB(x0 + dx, y0 + dy, rgb);
            }
        }
    }
}
