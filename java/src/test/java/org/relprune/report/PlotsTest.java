package org.relprune.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.Range;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plots as images: a PNG of the agreed size, each series in its palette colour at the pixel
 * its data maps to (the data area is the chart's own, the mapping inside it plain linear
 * geometry), the trials plot's reference line on the row of its value, gaps for NaN. Surefire
 * runs this module with java.awt.headless=true, so they are drawn as on a machine without a display.
 */
class PlotsTest {
    private static final Color RED = Charts.PALETTE[0];
    private static final Color BLUE = Charts.PALETTE[1];
    private static final Color GRAY = Charts.PALETTE[2];

    @TempDir
    Path dir;

    @Test
    void curvesAreAPngWithEachSeriesInItsColourAtItsPoints() throws IOException {
        List<CurvePlot.Series> series = List.of(
                new CurvePlot.Series("a", new double[] {0.5, 0.6, 0.8}, new double[] {0.9, 0.9, 0.9}),
                new CurvePlot.Series("b", new double[] {0.5, 0.8, 0.9}, new double[] {0.6, 0.6, -0.5}));
        Path png = dir.resolve("not/yet/there/curve.png");
        CurvePlot.write(png, "model: top-1 accuracy", series);
        BufferedImage img = readPng(png);
        Rectangle2D area = dataArea(CurvePlot.chart("model: top-1 accuracy", series));
        assertInside(area, img);

        // points (the dots' centres) and the middle of a segment, both curves
        assertColour(RED, img, area, 0.5, 0.9);
        assertColour(RED, img, area, 0.8, 0.9);
        assertColour(RED, img, area, 0.7, 0.9);
        assertColour(BLUE, img, area, 0.5, 0.6);
        assertColour(BLUE, img, area, 0.65, 0.6);
        // nothing between them
        assertFalse(near(pixel(img, area, 0.65, 0.75), RED) || near(pixel(img, area, 0.65, 0.75), BLUE));
        // an accuracy below the axis is drawn at its lower edge: the dot's upper half shows there
        // (a row wholly inside the dot's radius of 3 pixels and clear of the frame)
        int x = (int) Math.floor(area.getMinX() + 0.9 * area.getWidth());
        assertTrue(near(img.getRGB(x, (int) Math.floor(area.getMaxY() - 1.5)), BLUE), "clamped point at the bottom edge");

        XYPlot plot = CurvePlot.chart("t", series).getXYPlot();
        assertEquals(new Range(0, 1), plot.getDomainAxis().getRange());
        assertEquals(new Range(0, 1), plot.getRangeAxis().getRange());
        assertEquals("pruning rate", plot.getDomainAxis().getLabel());
        assertEquals("top-1 accuracy", plot.getRangeAxis().getLabel());
        List<LegendItem> legend = items(plot.getLegendItems());
        assertEquals(List.of("a", "b"), legend.stream().map(LegendItem::getLabel).toList());
        for (int i = 0; i < 2; i++) {
            assertTrue(legend.get(i).isLineVisible() && legend.get(i).isShapeVisible(), "curves are lines with points");
            assertEquals(Charts.PALETTE[i], legend.get(i).getLinePaint());
        }
    }

    @Test
    void aNaNInACurveLeavesAGap() throws IOException {
        List<CurvePlot.Series> series = List.of(new CurvePlot.Series("a", new double[] {0.5, 0.6, 0.7}, new double[] {0.8, Double.NaN, 0.8}));
        Path png = dir.resolve("curve.png");
        CurvePlot.write(png, "with a NaN", series);
        BufferedImage img = readPng(png);
        Rectangle2D area = dataArea(CurvePlot.chart("with a NaN", series));
        assertColour(RED, img, area, 0.5, 0.8);
        assertColour(RED, img, area, 0.7, 0.8);
        // no point and no line through the NaN's rate: nothing red in its column
        int x = (int) Math.floor(area.getMinX() + 0.6 * area.getWidth());
        for (int y = (int) Math.ceil(area.getMinY()); y < area.getMaxY(); y++) {
            assertFalse(near(img.getRGB(x, y), RED), "red at row " + y + " of the NaN's column");
        }
    }

    @Test
    void trialsShowPointsBestSoFarAndTheReferenceOnItsRow() throws IOException {
        int[] numbers = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        // the legend sits in the lower left: the first trials are above it
        double[] objectives = {0.56, 0.7, 0.6, 0.64, 0.5, 0.52, 0.58, 0.51, 0.66, 0.53};
        double reference = 0.62;
        Path png = dir.resolve("trials.png");
        TrialsPlot.write(png, "search", "validation a_pr", numbers, objectives, "default (epsilon_plus)", reference);
        BufferedImage img = readPng(png);
        JFreeChart chart = TrialsPlot.chart("search", "validation a_pr", numbers, objectives, "default (epsilon_plus)", reference);
        Rectangle2D area = dataArea(chart);
        assertInside(area, img);
        XYPlot plot = chart.getXYPlot();
        // trials 1..10; objectives and reference in [0.5, 0.7], padded by 5% of the span
        assertEquals(new Range(1, 10), plot.getDomainAxis().getRange());
        assertEquals(0.49, plot.getRangeAxis().getLowerBound(), 1e-12);
        assertEquals(0.71, plot.getRangeAxis().getUpperBound(), 1e-12);
        assertEquals("trial", plot.getDomainAxis().getLabel());
        assertEquals("validation a_pr", plot.getRangeAxis().getLabel());

        double y0 = area.getMaxY() - (reference - 0.49) / (0.71 - 0.49) * area.getHeight();
        List<Integer> rows = rowsMostly(img, area, GRAY);
        assertFalse(rows.isEmpty(), "no row is mostly the reference's colour");
        assertTrue(rows.contains((int) Math.floor(y0)), "reference expected on row " + (int) Math.floor(y0) + ", found on " + rows);
        for (int r : rows) {
            assertTrue(Math.abs(r + 0.5 - y0) <= 1.5, "reference colour across row " + r + ", expected near " + y0);
        }

        // each trial a point at (number + 1, objective) (the first and last sit on the frame); the best so far flat at 0.7 from trial 2 on
        for (int i = 1; i < numbers.length - 1; i++) {
            assertColour(RED, img, area, (numbers[i] + 1 - 1) / 9.0, (objectives[i] - 0.49) / 0.22);
        }
        assertColour(BLUE, img, area, (6.5 - 1) / 9.0, (0.7 - 0.49) / 0.22);

        List<LegendItem> legend = items(plot.getLegendItems());
        assertEquals(List.of("trial", "best so far", "default (epsilon_plus)"), legend.stream().map(LegendItem::getLabel).toList());
        assertTrue(legend.get(0).isShapeVisible() && !legend.get(0).isLineVisible(), "trials are points");
        assertTrue(!legend.get(1).isShapeVisible() && legend.get(1).isLineVisible(), "best so far is a line");
        assertTrue(!legend.get(2).isShapeVisible() && legend.get(2).isLineVisible(), "the reference is a line");
    }

    @Test
    void trialsWithoutAReferenceOrWithANaNObjective() throws IOException {
        int[] numbers = {0, 1, 3};
        double[] objectives = {0.7, Double.NaN, 0.6};
        Path png = dir.resolve("trials.png");
        TrialsPlot.write(png, "search", "a_pr", numbers, objectives, "default", Double.NaN);
        BufferedImage img = readPng(png);
        JFreeChart chart = TrialsPlot.chart("search", "a_pr", numbers, objectives, "default", Double.NaN);
        Rectangle2D area = dataArea(chart);
        assertTrue(rowsMostly(img, area, GRAY).isEmpty(), "a reference line drawn for a NaN reference");
        XYPlot plot = chart.getXYPlot();
        assertEquals(List.of("trial", "best so far"), items(plot.getLegendItems()).stream().map(LegendItem::getLabel).toList());
        // the NaN is left out of the range (0.6 to 0.7, padded) and of the best so far, which stays at 0.7 past trial 2
        assertEquals(0.595, plot.getRangeAxis().getLowerBound(), 1e-12);
        assertEquals(0.705, plot.getRangeAxis().getUpperBound(), 1e-12);
        double best = (0.7 - 0.595) / 0.11;
        assertColour(BLUE, img, area, (1.5 - 1) / 3.0, best);
        assertColour(BLUE, img, area, (3 - 1) / 3.0, best);
        // the last point sits on the right edge: its left half, in a column wholly inside the dot and clear of the frame
        assertColour(RED, img, area, 1 - 1.5 / area.getWidth(), (0.6 - 0.595) / 0.11);
        // no point for trial 2
        int x = (int) Math.floor(area.getMinX() + (2 - 1) / 3.0 * area.getWidth());
        for (int y = (int) Math.ceil(area.getMinY()); y < area.getMaxY(); y++) {
            assertFalse(near(img.getRGB(x, y), RED), "red at row " + y + " of the NaN trial's column");
        }
    }

    @Test
    void rewritingReplacesTheFileAndLeavesNoTemporaryFile() throws IOException {
        Path png = dir.resolve("curve.png");
        Files.writeString(png, "not a png");
        CurvePlot.write(png, "t", List.of(new CurvePlot.Series("a", new double[] {0, 1}, new double[] {1, 0})));
        readPng(png);
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(png), files.toList());
        }
        assertThrows(IllegalArgumentException.class,
                () -> CurvePlot.write(png, "t", List.of(new CurvePlot.Series("a", new double[] {0, 1}, new double[] {1}))));
        assertThrows(IllegalArgumentException.class, () -> TrialsPlot.write(png, "t", "o", new int[0], new double[0], "r", 0));
        readPng(png);
    }

    /** The file as a PNG of the plots' size. */
    private static BufferedImage readPng(Path file) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            ImageReader reader = ImageIO.getImageReaders(in).next();
            assertEquals("png", reader.getFormatName().toLowerCase(Locale.ROOT));
        }
        BufferedImage img = ImageIO.read(file.toFile());
        assertNotNull(img, file + " does not decode");
        assertEquals(720, img.getWidth());
        assertEquals(480, img.getHeight());
        return img;
    }

    /** Where the chart draws its data at 720 x 480, as JFreeChart lays it out. */
    private static Rectangle2D dataArea(JFreeChart chart) {
        ChartRenderingInfo info = new ChartRenderingInfo();
        chart.createBufferedImage(720, 480, info);
        return info.getPlotInfo().getDataArea();
    }

    /** The data area is a sizeable part of the image, and its frame is drawn (black) where the layout says. */
    private static void assertInside(Rectangle2D area, BufferedImage img) {
        assertTrue(area.getMinX() > 0 && area.getMinY() > 0 && area.getMaxX() < img.getWidth() && area.getMaxY() < img.getHeight(), area.toString());
        assertTrue(area.getWidth() > 0.7 * img.getWidth() && area.getHeight() > 0.6 * img.getHeight(), area.toString());
        int black = 0;
        int y = (int) Math.round(area.getMinY());
        for (int x = (int) area.getMinX() + 1; x < area.getMaxX() - 1; x++) {
            black += near(img.getRGB(x, y), Color.BLACK) || near(img.getRGB(x, y - 1), Color.BLACK) ? 1 : 0;
        }
        assertTrue(black > 0.95 * (area.getWidth() - 2), "the plot's top frame is not at row " + y);
    }

    /** The pixel of (fx, fy), each a fraction of the data area from its left and its bottom. */
    private static int pixel(BufferedImage img, Rectangle2D area, double fx, double fy) {
        return img.getRGB((int) Math.floor(area.getMinX() + fx * area.getWidth()), (int) Math.floor(area.getMaxY() - fy * area.getHeight()));
    }

    private static void assertColour(Color expected, BufferedImage img, Rectangle2D area, double fx, double fy) {
        int rgb = pixel(img, area, fx, fy);
        assertTrue(near(rgb, expected), String.format("expected %06X at (%.3f, %.3f) of the data area, found %06X",
                expected.getRGB() & 0xFFFFFF, fx, fy, rgb & 0xFFFFFF));
    }

    /** The rows of the data area where most pixels (60%) are this colour. */
    private static List<Integer> rowsMostly(BufferedImage img, Rectangle2D area, Color c) {
        List<Integer> rows = new ArrayList<>();
        int x0 = (int) Math.ceil(area.getMinX()) + 1;
        int x1 = (int) Math.floor(area.getMaxX()) - 1;
        for (int y = (int) Math.ceil(area.getMinY()); y < area.getMaxY(); y++) {
            int n = 0;
            for (int x = x0; x < x1; x++) {
                n += near(img.getRGB(x, y), c) ? 1 : 0;
            }
            if (n > 0.6 * (x1 - x0)) {
                rows.add(y);
            }
        }
        return rows;
    }

    private static boolean near(int rgb, Color c) {
        return Math.abs(((rgb >> 16) & 0xFF) - c.getRed()) <= 8 && Math.abs(((rgb >> 8) & 0xFF) - c.getGreen()) <= 8
                && Math.abs((rgb & 0xFF) - c.getBlue()) <= 8;
    }

    private static List<LegendItem> items(LegendItemCollection c) {
        List<LegendItem> out = new ArrayList<>();
        for (int i = 0; i < c.getItemCount(); i++) {
            out.add(c.get(i));
        }
        return out;
    }
}
