package org.relprune.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTitleAnnotation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.block.ColumnArrangement;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.xy.DefaultXYDataset;
import org.relprune.io.AtomicFileWrite;

/**
 * What the report's line charts (pruning curves, a search's trials) share, drawn by JFreeChart:
 * the image size, the palette and look (white plot, light grid, black frame, the legend inside
 * the plot's lower left), series of points over two linear axes with fixed ranges, and the PNG
 * written atomically. Rendering needs no display (it draws into an image; headless works).
 */
final class Charts {
    static final int WIDTH = 720;
    static final int HEIGHT = 480;
    /** Series colours, in series order. */
    static final Color[] PALETTE = {new Color(0xD62728), new Color(0x1F77B4), new Color(0x7F7F7F), new Color(0x2CA02C),
        new Color(0x9467BD), new Color(0xFF7F0E), new Color(0x8C564B), new Color(0xE377C2)};
    static final Color GRID = new Color(0xE0E0E0);

    private static final Font PLAIN = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 14);

    /** How a series is drawn: a 2-pixel line, dots 6 pixels across, or both. */
    enum Style { LINE_AND_POINTS, POINTS, LINE }

    /** One series: a legend label and its points (NaN values leave a gap). */
    record Series(String label, double[] x, double[] y, Style style) {
        Series {
            if (x.length != y.length) {
                throw new IllegalArgumentException("series '" + label + "': " + x.length + " x values but " + y.length + " y values");
            }
        }
    }

    private Charts() {
    }

    /** A linear axis over exactly [lo, hi]. */
    static NumberAxis axis(String label, double lo, double hi) {
        if (!(hi > lo) || Double.isInfinite(hi - lo)) {
            throw new IllegalArgumentException("axis '" + label + "': empty or unbounded range [" + lo + ", " + hi + "]");
        }
        NumberAxis a = new NumberAxis(label);
        a.setAutoRangeIncludesZero(false);
        a.setRange(lo, hi);
        a.setStandardTickUnits(NumberAxis.createStandardTickUnits(Locale.ROOT));
        a.setLabelFont(PLAIN);
        a.setTickLabelFont(PLAIN);
        a.setLabelPaint(Color.BLACK);
        a.setTickLabelPaint(Color.BLACK);
        a.setAxisLinePaint(Color.BLACK);
        a.setTickMarkPaint(Color.BLACK);
        return a;
    }

    /**
     * Labelled ticks every {@code unit} (formatted by the DecimalFormat {@code pattern}), with
     * grid lines there and at {@code between} more evenly spaced places between each two.
     */
    static NumberAxis ticks(NumberAxis a, double unit, String pattern, int between) {
        a.setTickUnit(new NumberTickUnit(unit, new DecimalFormat(pattern, DecimalFormatSymbols.getInstance(Locale.ROOT)), between + 1), false, true);
        a.setMinorTickMarksVisible(between > 0);
        return a;
    }

    /** Values outside an axis's range are drawn at its edge, as a point or line there; NaN values are left out. */
    static JFreeChart chart(String title, NumberAxis x, NumberAxis y, List<Series> series) {
        DefaultXYDataset data = new DefaultXYDataset();
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer();
        for (int s = 0; s < series.size(); s++) {
            Series c = series.get(s);
            // the dataset keys series by label: two series of one label would be one
            data.addSeries(s + ": " + c.label(), new double[][] {clamp(c.x(), x), clamp(c.y(), y)});
            renderer.setSeriesPaint(s, PALETTE[s % PALETTE.length]);
            renderer.setSeriesStroke(s, new BasicStroke(2f));
            renderer.setSeriesShape(s, new Ellipse2D.Double(-3, -3, 6, 6));
            renderer.setSeriesLinesVisible(s, c.style() != Style.POINTS);
            renderer.setSeriesShapesVisible(s, c.style() != Style.LINE);
        }
        renderer.setUseFillPaint(false);
        renderer.setDrawOutlines(false);
        renderer.setLegendItemLabelGenerator((dataset, s) -> series.get(s).label());
        renderer.setLegendLine(new Line2D.Double(-12, 0, 12, 0));
        XYPlot plot = new XYPlot(data, x, y, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setOutlinePaint(Color.BLACK);
        plot.setOutlineStroke(new BasicStroke(1f));
        plot.setDomainGridlinePaint(GRID);
        plot.setRangeGridlinePaint(GRID);
        plot.setDomainGridlineStroke(new BasicStroke(1f));
        plot.setRangeGridlineStroke(new BasicStroke(1f));
        plot.setDomainMinorGridlinesVisible(x.isMinorTickMarksVisible());
        plot.setRangeMinorGridlinesVisible(y.isMinorTickMarksVisible());
        plot.setDomainMinorGridlinePaint(GRID);
        plot.setRangeMinorGridlinePaint(GRID);
        plot.setDomainMinorGridlineStroke(new BasicStroke(1f));
        plot.setRangeMinorGridlineStroke(new BasicStroke(1f));
        plot.setAxisOffset(RectangleInsets.ZERO_INSETS);
        LegendTitle legend = new LegendTitle(plot, new ColumnArrangement(), new ColumnArrangement());
        legend.setItemFont(PLAIN);
        legend.setItemPaint(Color.BLACK);
        legend.setBackgroundPaint(null); // see-through: covers no data
        legend.setFrame(BlockBorder.NONE);
        XYTitleAnnotation inPlot = new XYTitleAnnotation(0.02, 0.03, legend, RectangleAnchor.BOTTOM_LEFT);
        inPlot.setMaxWidth(0.9);
        plot.addAnnotation(inPlot);
        JFreeChart chart = new JFreeChart(title, TITLE, plot, false);
        chart.setBackgroundPaint(Color.WHITE);
        chart.getTitle().setPaint(Color.BLACK);
        chart.setAntiAlias(true);
        chart.setTextAntiAlias(true);
        return chart;
    }

    /** The chart as a WIDTH x HEIGHT PNG, written atomically (the file's directory is created if missing). */
    static void write(Path file, JFreeChart chart) throws IOException {
        ByteArrayOutputStream png = new ByteArrayOutputStream(1 << 16);
        ChartUtils.writeChartAsPNG(png, chart, WIDTH, HEIGHT);
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        AtomicFileWrite.write(file, channel -> {
            ByteBuffer b = ByteBuffer.wrap(png.toByteArray());
            while (b.hasRemaining()) {
                channel.write(b);
            }
        });
    }

    private static double[] clamp(double[] v, NumberAxis axis) {
        double lo = axis.getLowerBound();
        double hi = axis.getUpperBound();
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Double.isNaN(v[i]) ? Double.NaN : Math.max(lo, Math.min(hi, v[i]));
        }
        return out;
    }
}
