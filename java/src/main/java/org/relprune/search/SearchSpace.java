package org.relprune.search;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What a search varies: per layer group (low, mid, high, fc) a rule among epsilon, gamma, zplus
 * and alphabeta with its continuous parameter (eps in [1e-9, 1] and gamma in [1e-4, 10] on log
 * scales, alpha in [1, 4] with beta = alpha - 1); for vision transformers the attention rule
 * (cp, attnlrp); and whether scores sum |R| or signed R. Immutable; read from a small JSON file
 * or the defaults for CNNs and ViTs.
 */
public record SearchSpace(List<String> groups, List<String> rules, List<String> attention, List<Boolean> signed,
                          double[] epsilon, double[] gamma, double[] alpha) {
    public static final List<String> ALL_RULES = List.of("epsilon", "gamma", "zplus", "alphabeta");
    /** The largest epsilon or gamma a space may propose. */
    static final double MAX_PARAMETER = 1e6;
    /** The largest alpha a space may propose (beta = alpha - 1). */
    static final double MAX_ALPHA = 1e3;

    public SearchSpace {
        groups = List.copyOf(groups);
        rules = List.copyOf(rules);
        attention = List.copyOf(attention);
        signed = List.copyOf(signed);
        if (groups.isEmpty() || rules.isEmpty() || signed.isEmpty()) {
            throw new IllegalArgumentException("the search space is empty: it needs at least one layer group, one rule and one score option");
        }
        for (String g : groups) {
            if (!List.of("low", "mid", "high", "fc").contains(g)) {
                throw new IllegalArgumentException("search space: unknown layer group '" + g + "' (low, mid, high, fc)");
            }
        }
        for (String r : rules) {
            if (!ALL_RULES.contains(r)) {
                throw new IllegalArgumentException("search space: unknown rule '" + r + "' (epsilon, gamma, zplus, alphabeta)");
            }
        }
        for (String a : attention) {
            if (!a.equals("cp") && !a.equals("attnlrp")) {
                throw new IllegalArgumentException("search space: unknown attention rule '" + a + "' (cp, attnlrp)");
            }
        }
        // finite bounds, and an alpha whose beta = alpha - 1 is still told apart from it in a spec string
        checkRange("epsilon", epsilon, 0, MAX_PARAMETER, true);
        checkRange("gamma", gamma, 0, MAX_PARAMETER, true);
        checkRange("alpha", alpha, 1, MAX_ALPHA, false);
    }

    private static void checkRange(String name, double[] r, double min, double max, boolean positive) {
        if (r == null || r.length != 2 || !(r[0] <= r[1]) || r[0] < min || (positive && r[0] <= 0) || !(r[1] <= max)) {
            throw new IllegalArgumentException("search space: " + name + " range must be [lo, hi] with " + (positive ? "0 < " : min + " <= ")
                    + "lo <= hi <= " + (long) max + ", got " + java.util.Arrays.toString(r));
        }
    }

    /** The defaults: every group, every rule, |R| or signed; for ViTs also cp or attnlrp. */
    public static SearchSpace defaults(boolean transformer) {
        return new SearchSpace(List.of("low", "mid", "high", "fc"), ALL_RULES, transformer ? List.of("cp", "attnlrp") : List.of(),
                List.of(false, true), new double[] {1e-9, 1}, new double[] {1e-4, 10}, new double[] {1, 4});
    }

    /**
     * Reads a search-space file (see {@link #parse}).
     *
     * @throws IOException when the file cannot be read
     * @throws IllegalArgumentException naming the file, when it is not UTF-8 JSON text holding a
     *     valid search space
     */
    public static SearchSpace read(Path file, boolean transformer) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException("--space " + file + " is a folder, not a search space file");
        }
        if (!Files.exists(file)) {
            throw new java.nio.file.NoSuchFileException(file.toString(), null, "no search space file there");
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(file + ": not UTF-8 text; a search space is a JSON object", e);
        }
        JsonElement json;
        try {
            json = JsonParser.parseString(text);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException(file + ": not valid JSON: " + gsonDetail(e), e);
        }
        if (!json.isJsonObject()) {
            throw new IllegalArgumentException(file + ": a search space is a JSON object such as "
                    + "{\"rules\": [\"gamma\", \"epsilon\"], \"gamma\": [0.01, 1]}, found " + abbreviate(json));
        }
        try {
            return parse(json.getAsJsonObject(), transformer);
        } catch (IllegalArgumentException e) {
            // names and values quoted from the file may hold line breaks; errors are one line
            throw new IllegalArgumentException((file + ": " + e.getMessage()).replaceAll("\\s*[\\r\\n\\u2028\\u2029\\u0085]+\\s*", " "), e);
        }
    }

    /** {"groups": [...], "rules": [...], "attention": [...], "signed": [false, true], "epsilon": [lo, hi], "gamma": ..., "alpha": ...}; missing fields take the defaults. */
    public static SearchSpace parse(JsonObject o, boolean transformer) {
        SearchSpace d = defaults(transformer);
        for (String k : o.keySet()) {
            if (!List.of("groups", "rules", "attention", "signed", "epsilon", "gamma", "alpha").contains(k)) {
                throw new IllegalArgumentException("search space: unknown field '" + k + "' (groups, rules, attention, signed, epsilon, gamma, alpha)");
            }
        }
        return new SearchSpace(o.has("groups") ? strings(o, "groups") : d.groups(),
                o.has("rules") ? strings(o, "rules") : d.rules(),
                o.has("attention") ? strings(o, "attention") : d.attention(),
                o.has("signed") ? booleans(o, "signed") : d.signed(),
                o.has("epsilon") ? pair(o, "epsilon") : d.epsilon(),
                o.has("gamma") ? pair(o, "gamma") : d.gamma(),
                o.has("alpha") ? pair(o, "alpha") : d.alpha());
    }

    private static JsonArray array(JsonObject o, String field, String of) {
        JsonElement e = o.get(field);
        if (!e.isJsonArray()) {
            throw new IllegalArgumentException("search space: field '" + field + "' must be an array of " + of + ", got " + abbreviate(e));
        }
        return e.getAsJsonArray();
    }

    private static List<String> strings(JsonObject o, String field) {
        List<String> s = new ArrayList<>();
        for (JsonElement e : array(o, field, "strings")) {
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                throw new IllegalArgumentException("search space: field '" + field + "' must hold only strings, got " + abbreviate(e));
            }
            s.add(e.getAsString().toLowerCase(Locale.ROOT));
        }
        return s;
    }

    private static List<Boolean> booleans(JsonObject o, String field) {
        List<Boolean> s = new ArrayList<>();
        for (JsonElement e : array(o, field, "booleans")) {
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
                throw new IllegalArgumentException("search space: field '" + field + "' must hold only true or false, got " + abbreviate(e));
            }
            s.add(e.getAsBoolean());
        }
        return s;
    }

    private static double[] pair(JsonObject o, String field) {
        JsonArray a = array(o, field, "two numbers [lo, hi]");
        double[] d = new double[a.size()];
        for (int i = 0; i < d.length; i++) {
            JsonElement e = a.get(i);
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
                throw new IllegalArgumentException("search space: field '" + field + "' must hold two numbers [lo, hi], got " + abbreviate(e));
            }
            d[i] = e.getAsDouble();
        }
        return d;
    }

    /** A JSON value for a message: one line, at most 60 characters. */
    private static String abbreviate(JsonElement e) {
        String s = e.toString().replaceAll("\\s+", " ");
        return s.length() <= 60 ? s : s.substring(0, 60) + "...";
    }

    /** Gson's message without its advice to relax parsing and its troubleshooting link. */
    private static String gsonDetail(JsonParseException e) {
        Throwable t = e.getCause() != null && e.getCause().getMessage() != null ? e.getCause() : e;
        return String.valueOf(t.getMessage())
                .replace("Use JsonReader.setStrictness(Strictness.LENIENT) to accept malformed JSON", "malformed JSON")
                .replaceFirst("(?s)\\s*See https?://\\S+\\s*$", "")
                .replaceAll("\\s+", " ").strip();
    }

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.add("groups", array(groups));
        o.add("rules", array(rules));
        o.add("attention", array(attention));
        JsonArray s = new JsonArray();
        signed.forEach(s::add);
        o.add("signed", s);
        o.add("epsilon", array(epsilon));
        o.add("gamma", array(gamma));
        o.add("alpha", array(alpha));
        return o;
    }

    private static JsonArray array(List<String> v) {
        JsonArray a = new JsonArray();
        v.forEach(a::add);
        return a;
    }

    private static JsonArray array(double[] v) {
        JsonArray a = new JsonArray();
        for (double x : v) {
            a.add(x);
        }
        return a;
    }

    /** One rule with its parameter (eps, gamma or alpha; unused for zplus). */
    public record Choice(String rule, double value) {
        String spec() {
            return switch (rule) {
                case "epsilon" -> "epsilon:" + value;
                case "gamma" -> "gamma:" + value;
                case "zplus" -> "zplus";
                case "alphabeta" -> "alphabeta:" + value + ":" + (value - 1);
                default -> throw new IllegalStateException(rule);
            };
        }
    }

    /** A point of the space: a rule per group, the attention rule (or null), the score option. */
    public record Point(Map<String, Choice> groups, String attention, boolean signed) {
        /** The composite as a spec string, e.g. low=gamma:0.1,mid=zplus,high=epsilon:0.25,fc=epsilon:1e-06. */
        public String composite() {
            StringBuilder b = new StringBuilder();
            if (groups.size() < 4) {
                b.append("conv=zplus,linear=epsilon:1e-6"); // groups the search leaves alone keep epsilon_plus's rules
            }
            groups.forEach((g, c) -> b.append(b.length() == 0 ? "" : ",").append(g).append('=').append(c.spec()));
            if (attention != null) {
                b.append(",attention=").append(attention);
            }
            return b.toString();
        }

        public JsonObject toJson() {
            JsonObject o = new JsonObject();
            JsonObject gs = new JsonObject();
            groups.forEach((g, c) -> {
                JsonObject e = new JsonObject();
                e.addProperty("rule", c.rule());
                e.addProperty("value", c.value());
                gs.add(g, e);
            });
            o.add("groups", gs);
            if (attention != null) {
                o.addProperty("attention", attention);
            }
            o.addProperty("signed", signed);
            o.addProperty("composite", composite());
            return o;
        }

        public static Point fromJson(JsonObject o) {
            Map<String, Choice> gs = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> e : o.getAsJsonObject("groups").entrySet()) {
                JsonObject c = e.getValue().getAsJsonObject();
                gs.put(e.getKey(), new Choice(c.get("rule").getAsString(), c.get("value").getAsDouble()));
            }
            return new Point(gs, o.has("attention") ? o.get("attention").getAsString() : null, o.get("signed").getAsBoolean());
        }
    }

    /** A uniform draw: rules uniformly, eps and gamma log-uniformly, alpha uniformly. */
    public Point sample(SplittableRandom rng) {
        Map<String, Choice> gs = new LinkedHashMap<>();
        for (String g : groups) {
            String rule = rules.get(rng.nextInt(rules.size()));
            double v = switch (rule) {
                case "epsilon" -> logUniform(rng, epsilon);
                case "gamma" -> logUniform(rng, gamma);
                case "alphabeta" -> alpha[0] + (alpha[1] - alpha[0]) * rng.nextDouble();
                default -> 0;
            };
            gs.put(g, new Choice(rule, v));
        }
        String att = attention.isEmpty() ? null : attention.get(rng.nextInt(attention.size()));
        return new Point(gs, att, signed.get(rng.nextInt(signed.size())));
    }

    private static double logUniform(SplittableRandom rng, double[] r) {
        return Math.exp(Math.log(r[0]) + (Math.log(r[1]) - Math.log(r[0])) * rng.nextDouble());
    }
}
