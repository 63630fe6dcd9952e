package org.relprune.lrp.composite;

import java.util.ArrayList;
import java.util.List;

/**
 * A piece of a spec string with surrounding whitespace trimmed and its offset into the whole
 * string, so that every parse error can say at which column the bad token starts.
 */
record SpecToken(String text, int offset) {
    /** 1-based column for messages. */
    int column() {
        return offset + 1;
    }

    boolean isEmpty() {
        return text.isEmpty();
    }

    /** "'text' at column N". */
    String quoted() {
        return "'" + text + "' at column " + column();
    }

    /** Splits this token at every {@code sep}, trimming each piece; empty pieces are kept. */
    List<SpecToken> split(char sep) {
        List<SpecToken> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= text.length(); i++) {
            if (i == text.length() || text.charAt(i) == sep) {
                out.add(piece(start, i));
                start = i + 1;
            }
        }
        return out;
    }

    /** The trimmed part before the first {@code sep} and the trimmed part after it, or null without one. */
    SpecToken[] splitOnce(char sep) {
        int at = text.indexOf(sep);
        return at < 0 ? null : new SpecToken[] {piece(0, at), piece(at + 1, text.length())};
    }

    /** text[from, to) trimmed; an all-blank piece is empty and sits where the piece starts. */
    private SpecToken piece(int from, int to) {
        int a = from;
        int b = to;
        while (a < b && Character.isWhitespace(text.charAt(a))) {
            a++;
        }
        while (b > a && Character.isWhitespace(text.charAt(b - 1))) {
            b--;
        }
        return new SpecToken(text.substring(a, b), offset + (a < b ? a : from));
    }
}
