package org.relprune.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/** Series of points over two linear axes as one PNG, written atomically (pruning curves, a search's trials). */
public final class LinePlot {
    /** The axes: labels and ranges; values outside a range are drawn at its edge. */
    public record Axes(String xLabel, double xMin, double xMax, String yLabel, double yMin, double yMax) {
        public Axes {
            if (!(xMax > xMin) || !(yMax > yMin)) {
                throw new IllegalArgumentException("empty axis range: x [" + xMin + ", " + xMax + "], y [" + yMin + ", " + yMax + "]");
            }
        }
    }

    /** How a series is drawn. */
    public enum Style { LINE_AND_POINTS, POINTS, LINE }

    /** One series: a legend label and its points. */
    public record Series(String label, double[] x, double[] y, Style style) {
        public Series {
            if (x.length != y.length) {
                throw new IllegalArgumentException("series '" + label + "': " + x.length + " x values but " + y.length + " y values");
            }
        }
    }

    private static final Color[] PALETTE = {new Color(0xD62728), new Color(0x1F77B4), new Color(0x7F7F7F), new Color(0x2CA02C),
        new Color(0x9467BD), new Color(0xFF7F0E), new Color(0x8C564B), new Color(0xE377C2)};

    private LinePlot() {
    }

    public static void write(Path file, String title, Axes axes, List<Series> series) throws IOException {
        int w = 720;
        int h = 480;
        int left = 70;
        int right = 20;
        int top = 40;
        int bottom = 60;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        int pw = w - left - right;
        int ph = h - top - bottom;
        g.setColor(new Color(0xE0E0E0));
        for (int i = 0; i <= 10; i++) {
            int x = left + pw * i / 10;
            int y = top + ph * i / 10;
            g.drawLine(x, top, x, top + ph);
            g.drawLine(left, y, left + pw, y);
        }
        g.setColor(Color.BLACK);
        g.drawRect(left, top, pw, ph);
        for (int i = 0; i <= 10; i += 2) {
            String tx = tick(axes.xMin() + (axes.xMax() - axes.xMin()) * i / 10, axes.xMax() - axes.xMin());
            String ty = tick(axes.yMin() + (axes.yMax() - axes.yMin()) * i / 10, axes.yMax() - axes.yMin());
            g.drawString(tx, left + pw * i / 10 - 8, top + ph + 16);
            g.drawString(ty, left - 8 - g.getFontMetrics().stringWidth(ty), top + ph - ph * i / 10 + 4);
        }
        g.drawString(axes.xLabel(), left + pw / 2 - g.getFontMetrics().stringWidth(axes.xLabel()) / 2, h - 20);
        g.drawString(axes.yLabel(), 8, top - 12);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, left + 100, top - 14);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.setStroke(new BasicStroke(2f));
        for (int s = 0; s < series.size(); s++) {
            Series c = series.get(s);
            g.setColor(PALETTE[s % PALETTE.length]);
            int px = 0;
            int py = 0;
            for (int i = 0; i < c.x().length; i++) {
                int x = left + (int) Math.round(pw * clamp((c.x()[i] - axes.xMin()) / (axes.xMax() - axes.xMin())));
                int y = top + ph - (int) Math.round(ph * clamp((c.y()[i] - axes.yMin()) / (axes.yMax() - axes.yMin())));
                if (c.style() != Style.LINE) {
                    g.fillOval(x - 3, y - 3, 6, 6);
                }
                if (i > 0 && c.style() != Style.POINTS) {
                    g.drawLine(px, py, x, y);
                }
                px = x;
                py = y;
            }
            int ly = top + ph - 20 - 18 * (series.size() - 1 - s);
            g.drawLine(left + 12, ly - 4, left + 36, ly - 4);
            g.setColor(Color.BLACK);
            g.drawString(fit(g, c.label(), pw - 50), left + 42, ly);
        }
        g.dispose();
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            ImageIO.write(img, "png", tmp.toFile());
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The label, cut with an ellipsis where it would run past the plot. */
    private static String fit(Graphics2D g, String label, int width) {
        if (g.getFontMetrics().stringWidth(label) <= width) {
            return label;
        }
        String s = label;
        while (!s.isEmpty() && g.getFontMetrics().stringWidth(s + "...") > width) {
            s = s.substring(0, s.length() - 1);
        }
        return s + "...";
    }

    private static double clamp(double t) {
        return Math.max(0, Math.min(1, t));
    }

    /** Tick labels with as many decimals as the axis span needs (ticks are a fifth of it apart). */
    private static String tick(double v, double span) {
        return String.format(Locale.ROOT, span >= 10 ? "%.0f" : span >= 1 ? "%.1f" : "%.2f", v);
    }
}
