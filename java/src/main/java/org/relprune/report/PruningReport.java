package org.relprune.report;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.relprune.io.AtomicFileWrite;

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
        List<JsonObject> curves = new ArrayList<>();
        List<CurvePlot.Series> series = new ArrayList<>();
        for (Path dir : runs) {
            Path f = dir.resolve("curve.json");
            if (!Files.isRegularFile(f)) {
                throw new NoSuchFileException(f.toString(), null, "not a pruning run (no curve.json; run 'relprune prune --out " + dir + "' first)");
            }
            JsonObject c;
            try {
                c = JsonParser.parseString(Files.readString(f)).getAsJsonObject();
                series.add(new CurvePlot.Series(label(c), doubles(c.getAsJsonArray("rates")), doubles(c.getAsJsonArray("accuracy"))));
            } catch (RuntimeException e) {
                throw new IOException(f + ": not a relprune curve.json (" + e.getMessage() + ")", e);
            }
            curves.add(c);
        }
        Path dir = html.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path png = Files.createTempFile(dir, "curves", ".png.tmp");
        String image;
        try {
            String model = curves.get(0).getAsJsonObject("provenance").get("model").getAsString();
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
            JsonObject c = curves.get(i);
            JsonObject v = c.getAsJsonObject("validation");
            JsonObject ref = c.getAsJsonObject("reference");
            b.append("<tr><td class=\"l\">").append(escape(runs.get(i).toString())).append("</td><td class=\"l\">").append(escape(label(c)))
                    .append("</td><td>").append(fmt(c.get("a_pr"))).append("</td><td>").append(fmt(c.get("auc")))
                    .append("</td><td>").append(fmt(c.get("top_pr"))).append("</td><td>").append(v == null ? "" : fmt(v.get("a_pr")))
                    .append("</td><td>").append(c.get("total_components")).append(' ').append(escape(c.get("components").getAsString()))
                    .append("</td><td>").append(ref == null ? "" : ref.get("samples").getAsInt() + " images")
                    .append("</td><td>").append(ref == null ? "" : ref.get("seed").getAsLong())
                    .append("</td><td class=\"l\">").append(escape(c.getAsJsonObject("provenance").get("model").getAsString()))
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

    private static String label(JsonObject c) {
        String name = c.get("criterion").getAsString();
        return c.has("composite") ? name + " (" + shortNumbers(c.get("composite").getAsString()) + ")" : name;
    }

    /** A searched composite's parameters to 3 decimals for legends and tables (0.50021620 -> 0.500); curve.json keeps them whole. */
    static String shortNumbers(String spec) {
        return spec.replaceAll("(\\d+\\.\\d{3})\\d+", "$1");
    }

    private static double[] doubles(JsonArray a) {
        double[] d = new double[a.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = a.get(i).getAsDouble();
        }
        return d;
    }

    private static String fmt(JsonElement e) {
        if (e == null || e.isJsonNull()) {
            return "";
        }
        double v = e.getAsDouble();
        return Double.isNaN(v) ? "none" : String.format("%.4f", v);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
