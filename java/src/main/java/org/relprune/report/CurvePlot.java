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
import javax.imageio.ImageIO;

/** Pruning curves (top-1 accuracy over pruning rate) as one PNG, written atomically. */
public final class CurvePlot {
    /** One curve: a legend label, rates in [0, 1) and accuracies in [0, 1]. */
    public record Series(String label, double[] rates, double[] accuracy) {
    }

    private static final Color[] PALETTE = {new Color(0xD62728), new Color(0x1F77B4), new Color(0x7F7F7F), new Color(0x2CA02C),
        new Color(0x9467BD), new Color(0xFF7F0E), new Color(0x8C564B), new Color(0xE377C2)};

    private CurvePlot() {
    }

    public static void write(Path file, String title, List<Series> series) throws IOException {
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
            String t = String.format("%.1f", i / 10.0);
            g.drawString(t, left + pw * i / 10 - 8, top + ph + 16);
            g.drawString(t, left - 30, top + ph - ph * i / 10 + 4);
        }
        g.drawString("pruning rate", left + pw / 2 - 35, h - 20);
        g.drawString("top-1 accuracy", 8, top - 12);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, left + 100, top - 14);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.setStroke(new BasicStroke(2f));
        for (int s = 0; s < series.size(); s++) {
            Series c = series.get(s);
            g.setColor(PALETTE[s % PALETTE.length]);
            for (int i = 0; i < c.rates().length; i++) {
                int x = left + (int) Math.round(pw * c.rates()[i]);
                int y = top + ph - (int) Math.round(ph * c.accuracy()[i]);
                g.fillOval(x - 3, y - 3, 6, 6);
                if (i > 0) {
                    g.drawLine(left + (int) Math.round(pw * c.rates()[i - 1]), top + ph - (int) Math.round(ph * c.accuracy()[i - 1]), x, y);
                }
            }
            int ly = top + ph - 20 - 18 * (series.size() - 1 - s);
            g.drawLine(left + 12, ly - 4, left + 36, ly - 4);
            g.setColor(Color.BLACK);
            g.drawString(c.label(), left + 42, ly);
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
}
