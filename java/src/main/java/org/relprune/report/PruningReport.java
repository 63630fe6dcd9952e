package org.relprune.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.relprune.io.AtomicFileWrite;
import org.relprune.prune.CurveResult;

/**
 * One self-contained HTML page (the plot embedded) with the pruning curves of several runs side
 * by side, each read from its DIR/curve.json: a plot of the test curves and a table of a_pr,
 * auc, top_pr (test and validation) with the settings that made them.
 */
public final class PruningReport {
    private PruningReport() {
    }

    /** A figure placed below the curves: a heading, a PNG file (embedded) and a caption (plain text). */
    public record Figure(String heading, Path png, String caption) {
    }

    public static void write(Path html, List<Path> runs) throws IOException {
        write(html, runs, List.of());
    }

    public static void write(Path html, List<Path> runs, List<Figure> figures) throws IOException {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("no pruning runs to report");
        }
        List<CurveResult> curves = new ArrayList<>();
        List<CurvePlot.Series> series = new ArrayList<>();
        for (Path dir : runs) {
            CurveResult c = CurveResult.read(dir);
            if (!curves.isEmpty()) {
                sameData(curves.get(0), runs.get(0), c, dir);
            }
            series.add(new CurvePlot.Series(label(c), c.evaluation().rates(), c.test().accuracy()));
            curves.add(c);
        }
        Path dir = html.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path png = Files.createTempFile(dir, "curves", ".png.tmp");
        String image;
        try {
            String model = curves.get(0).provenance().source().model();
            CurvePlot.write(png, model + ": top-1 accuracy on the test split", series);
            image = Base64.getEncoder().encodeToString(Files.readAllBytes(png));
        } finally {
            Files.deleteIfExists(png);
        }
        StringBuilder b = new StringBuilder();
        b.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>relprune pruning report</title>\n")
                .append("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}")
                .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td.l,th.l{text-align:left}</style></head><body>\n")
                .append("<h1>Pruning curves</h1>\n<img alt=\"pruning curves\" src=\"data:image/png;base64,").append(image).append("\">\n")
                .append("<p>a_pr: mean top-1 over the rates; auc: trapezoid area under accuracy over rate; top_pr: highest rate keeping at least "
                        + "95% of the unpruned accuracy. Test split (never seen by the pruning) and validation split.</p>\n")
                .append("<table><tr><th class=\"l\">run</th><th class=\"l\">criterion</th><th>a_pr</th><th>auc</th><th>top_pr</th>"
                        + "<th>a_pr (val.)</th><th>components</th><th>reference</th><th>seed</th><th class=\"l\">model</th></tr>\n");
        for (int i = 0; i < curves.size(); i++) {
            CurveResult c = curves.get(i);
            CurveResult.Curve v = c.validation();
            CurveResult.Reference ref = c.reference();
            b.append("<tr><td class=\"l\">").append(escape(runs.get(i).toString())).append("</td><td class=\"l\">").append(escape(label(c)))
                    .append("</td><td>").append(fmt(c.test().metrics().aPr())).append("</td><td>").append(fmt(c.test().metrics().auc()))
                    .append("</td><td>").append(fmt(c.test().metrics().topPr())).append("</td><td>").append(v == null ? "" : fmt(v.metrics().aPr()))
                    .append("</td><td>").append(c.selection().totalComponents()).append(' ').append(escape(c.selection().components().option()))
                    .append("</td><td>").append(ref.samples()).append(" images")
                    .append("</td><td>").append(ref.seed())
                    .append("</td><td class=\"l\">").append(escape(c.provenance().source().model()))
                    .append("</td></tr>\n");
        }
        b.append("</table>\n");
        for (Figure f : figures) {
            b.append("<h2>").append(escape(f.heading())).append("</h2>\n<img alt=\"").append(escape(f.heading()))
                    .append("\" src=\"data:image/png;base64,").append(Base64.getEncoder().encodeToString(Files.readAllBytes(f.png())))
                    .append("\">\n<p>").append(escape(f.caption())).append("</p>\n");
        }
        b.append("</body></html>\n");
        AtomicFileWrite.writeString(html, b.toString());
    }

    /** Curves side by side must be measured on the same images: runs whose data differ by content are refused. */
    private static void sameData(CurveResult first, Path firstDir, CurveResult c, Path dir) {
        String a = first.provenance().source().dataSha256();
        String b = c.provenance().source().dataSha256();
        if (a != null && b != null && !a.equals(b)) {
            throw new IllegalArgumentException(dir + " was measured on other data than " + firstDir + " (" + c.provenance().source().data()
                    + ", sha256 " + b.substring(0, 12) + "... against " + first.provenance().source().data() + ", " + a.substring(0, 12)
                    + "...): their curves are not comparable in one report");
        }
    }

    private static String label(CurveResult c) {
        String name = c.method().criterion();
        return c.method().composite() != null ? name + " (" + shortNumbers(c.method().composite()) + ")" : name;
    }

    /** A searched composite's parameters to 3 decimals for legends and tables (0.50021620 -> 0.500); curve.json keeps them whole. */
    static String shortNumbers(String spec) {
        return spec.replaceAll("(\\d+\\.\\d{3})\\d+", "$1");
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "none" : String.format("%.4f", v);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
