package org.relprune.lrp.composite;

import java.util.regex.Pattern;

/**
 * Numbers in spec strings. Parsing accepts plain decimals in Java double syntax (1e-6, 0.25, -3,
 * +.5) but not the rest of what Double.parseDouble takes (NaN, Infinity, hex, d/f suffixes):
 * none of those is a sensible rule parameter and they would make typos parse. Formatting gives
 * the shortest form that parses back to the same double, so canonical specs read like the
 * hand-written presets (1e-6, not 1.0E-6; -3, not -3.0).
 */
final class SpecNumbers {
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    private SpecNumbers() {}

    /** The value, or null when the text is not a finite decimal number. */
    static Double parse(String text) {
        if (!DECIMAL.matcher(text).matches()) {
            return null;
        }
        double v = Double.parseDouble(text);
        return Double.isFinite(v) ? v : null;
    }

    /** Double.toString without its noise: "1.0E-6" -> "1e-6", "-3.0" -> "-3", "0.25" stays. */
    static String format(double v) {
        String s = Double.toString(v);
        int e = s.indexOf('E');
        String mantissa = e < 0 ? s : s.substring(0, e);
        String exponent = e < 0 ? "" : "e" + s.substring(e + 1);
        if (mantissa.endsWith(".0")) {
            mantissa = mantissa.substring(0, mantissa.length() - 2);
        }
        return mantissa + exponent;
    }
}
