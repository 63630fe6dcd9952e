package org.relprune.model.zoo;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.relprune.tensor.Shape;

/** Typed, strict reading of one architecture config object: wrong types and unknown fields are errors. */
final class ConfigFields {
    /** The largest width, class count or other integer a config may give (2^24): beyond it no model fits in memory. */
    static final int MAX_INT_FIELD = 1 << 24;
    private final JsonObject json;
    private final String family;

    ConfigFields(JsonObject json, String family, Set<String> allowed) {
        this.json = json;
        this.family = family;
        Set<String> known = new TreeSet<>(allowed);
        known.add("family");
        known.add("input");
        for (String key : json.keySet()) {
            if (!known.contains(key)) {
                throw new ArchitectureException("architecture config: unknown field '" + key + "' for family " + family + " (allowed: " + String.join(", ", known) + ")");
            }
        }
    }

    boolean has(String key) {
        return json.has(key) && !json.get(key).isJsonNull();
    }

    /** The largest depth (encoder layers, or blocks of a stage) a config may ask for; building is superlinear in it. */
    static final int MAX_DEPTH = 1000;

    /** {@link #integer(String, Integer)} at most {@code max}, e.g. a depth that would take minutes to build. */
    int integer(String key, Integer fallback, int max) {
        int v = integer(key, fallback);
        if (v > max) {
            throw new ArchitectureException("architecture config: field '" + key + "' is " + v + ", more than the limit of " + max);
        }
        return v;
    }

    /** {@link #integers(String, int)} each at most {@code max}. */
    int[] integers(String key, int length, int max) {
        int[] v = integers(key, length);
        for (int x : v) {
            if (x > max) {
                throw new ArchitectureException("architecture config: field '" + key + "' holds " + x + ", more than the limit of " + max);
            }
        }
        return v;
    }

    int integer(String key, Integer fallback) {
        if (!has(key)) {
            if (fallback == null) {
                throw new ArchitectureException("architecture config: family " + family + " needs field '" + key + "'");
            }
            return fallback;
        }
        JsonElement e = json.get(key);
        try {
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
                throw new NumberFormatException();
            }
            double d = e.getAsDouble();
            if (d != Math.rint(d) || d < 1 || d > MAX_INT_FIELD) {
                throw new NumberFormatException();
            }
            return (int) d;
        } catch (NumberFormatException | UnsupportedOperationException ex) {
            throw new ArchitectureException("architecture config: field '" + key + "' must be a positive integer of at most " + MAX_INT_FIELD
                    + ", got " + e);
        }
    }

    boolean bool(String key, boolean fallback) {
        if (!has(key)) {
            return fallback;
        }
        JsonElement e = json.get(key);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw new ArchitectureException("architecture config: field '" + key + "' must be true or false, got " + e);
        }
        return e.getAsBoolean();
    }

    String string(String key, String fallback) {
        if (!has(key)) {
            if (fallback == null) {
                throw new ArchitectureException("architecture config: family " + family + " needs field '" + key + "'");
            }
            return fallback;
        }
        JsonElement e = json.get(key);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new ArchitectureException("architecture config: field '" + key + "' must be a string, got " + e);
        }
        return e.getAsString();
    }

    int[] integers(String key, int length) {
        if (!has(key)) {
            throw new ArchitectureException("architecture config: family " + family + " needs field '" + key + "'");
        }
        JsonElement e = json.get(key);
        if (!e.isJsonArray() || (length > 0 && e.getAsJsonArray().size() != length) || e.getAsJsonArray().isEmpty()) {
            throw new ArchitectureException("architecture config: field '" + key + "' must be an array of "
                    + (length > 0 ? length + " " : "") + "positive integers, got " + e);
        }
        JsonArray a = e.getAsJsonArray();
        List<Integer> out = new ArrayList<>();
        for (JsonElement x : a) {
            if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isNumber() || x.getAsDouble() != Math.rint(x.getAsDouble()) || x.getAsDouble() < 1
                    || x.getAsDouble() > 1 << 20) {
                throw new ArchitectureException("architecture config: field '" + key + "' must hold positive integers, got " + e);
            }
            out.add(x.getAsInt());
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The optional "input": [C, H, W]; the preset's default otherwise. */
    Shape input(Shape fallback) {
        if (!has("input")) {
            return fallback;
        }
        return Shape.of(integers("input", 3));
    }
}
