package org.relprune.io.safetensors;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON level of a safetensors header: checks its structure and extracts each entry's fields
 * as written, without judging their meaning (that is {@link HeaderLayout}'s job).
 *
 * <p>The header is read with a strict streaming {@link JsonReader} rather than into a tree so
 * that duplicate keys, which a tree would silently collapse, are reported, and so that numbers
 * are seen as written: {@code 1.0} or {@code 1e3} is not accepted where an integer is required.
 */
final class HeaderJson {
    static final String METADATA_KEY = "__metadata__";

    /** One tensor entry's fields, as written. */
    record RawEntry(String name, String dtype, long[] shape, long[] dataOffsets) {
    }

    /** Entries in header order, and the string metadata (empty when absent). */
    record RawHeader(List<RawEntry> entries, Map<String, String> metadata) {
    }

    private final Path file;
    private final JsonReader reader;
    /** The entry being read, so that a syntax error inside it can name it. */
    private String currentTensor;

    private HeaderJson(Path file, JsonReader reader) {
        this.file = file;
        this.reader = reader;
    }

    static RawHeader parse(Path file, byte[] headerBytes) throws SafetensorsFormatException {
        JsonReader reader = new JsonReader(new StringReader(decodeUtf8(file, headerBytes)));
        reader.setStrictness(Strictness.STRICT);
        HeaderJson parser = new HeaderJson(file, reader);
        try {
            return parser.readHeader();
        } catch (SafetensorsFormatException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // Gson reports syntax errors as MalformedJsonException/EOFException (IOException) or,
            // for some inputs, unchecked exceptions; all of them mean the header is not JSON.
            throw new SafetensorsFormatException(file, parser.currentTensor,
                    "header is not valid JSON: " + gsonDetail(e), e);
        }
    }

    /** Gson's message without its advice to relax parsing and its troubleshooting link. */
    private static String gsonDetail(Exception e) {
        return String.valueOf(e.getMessage())
                .replace("Use JsonReader.setStrictness(Strictness.LENIENT) to accept malformed JSON", "malformed JSON")
                .replaceFirst("(?s)\\s*See https?://\\S+\\s*$", "");
    }

    private static String decodeUtf8(Path file, byte[] bytes) throws SafetensorsFormatException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new SafetensorsFormatException(file, null, "header is not valid UTF-8 JSON", e);
        }
    }

    private RawHeader readHeader() throws IOException {
        JsonToken first = reader.peek();
        if (first != JsonToken.BEGIN_OBJECT) {
            throw fail(null, "header must be a JSON object, found " + describe(first));
        }
        List<RawEntry> entries = new ArrayList<>();
        Map<String, String> metadata = Map.of();
        Set<String> seen = new HashSet<>();
        reader.beginObject();
        while (reader.hasNext()) {
            String name = reader.nextName();
            if (!seen.add(name)) {
                throw fail(METADATA_KEY.equals(name) ? null : name,
                        "key '" + name + "' appears more than once in the header");
            }
            if (METADATA_KEY.equals(name)) {
                metadata = readMetadata();
            } else {
                currentTensor = name;
                entries.add(readEntry(name));
                currentTensor = null;
            }
        }
        reader.endObject();
        JsonToken after = reader.peek();
        if (after != JsonToken.END_DOCUMENT) {
            throw fail(null, "unexpected " + describe(after) + " after the header JSON object");
        }
        return new RawHeader(entries, metadata);
    }

    private Map<String, String> readMetadata() throws IOException {
        JsonToken token = reader.peek();
        if (token != JsonToken.BEGIN_OBJECT) {
            throw fail(null, "'" + METADATA_KEY + "' must be an object of string values, found " + describe(token));
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        reader.beginObject();
        while (reader.hasNext()) {
            String key = reader.nextName();
            JsonToken value = reader.peek();
            if (value != JsonToken.STRING) {
                throw fail(null, "'" + METADATA_KEY + "' value for key '" + key + "' must be a string, found "
                        + describe(value));
            }
            if (metadata.put(key, reader.nextString()) != null) {
                throw fail(null, "'" + METADATA_KEY + "' key '" + key + "' appears more than once");
            }
        }
        reader.endObject();
        return metadata;
    }

    private RawEntry readEntry(String name) throws IOException {
        JsonToken token = reader.peek();
        if (token != JsonToken.BEGIN_OBJECT) {
            throw fail(name, "entry must be a JSON object with dtype, shape and data_offsets, found " + describe(token));
        }
        String dtype = null;
        long[] shape = null;
        long[] offsets = null;
        reader.beginObject();
        while (reader.hasNext()) {
            String key = reader.nextName();
            switch (key) {
                case "dtype" -> {
                    requireFirst(name, key, dtype);
                    JsonToken t = reader.peek();
                    if (t != JsonToken.STRING) {
                        throw fail(name, "'dtype' must be a string, found " + describe(t));
                    }
                    dtype = reader.nextString();
                }
                case "shape" -> {
                    requireFirst(name, key, shape);
                    shape = readNaturals(name, key);
                }
                case "data_offsets" -> {
                    requireFirst(name, key, offsets);
                    offsets = readNaturals(name, key);
                    if (offsets.length != 2) {
                        throw fail(name, "'data_offsets' must be [begin, end], found " + offsets.length + " values");
                    }
                }
                default -> throw fail(name, "unexpected key '" + key
                        + "' in entry (expected exactly dtype, shape and data_offsets)");
            }
        }
        reader.endObject();
        requirePresent(name, "dtype", dtype);
        requirePresent(name, "shape", shape);
        requirePresent(name, "data_offsets", offsets);
        return new RawEntry(name, dtype, shape, offsets);
    }

    /** An array of integers in [0, 2^63 - 1]. */
    private long[] readNaturals(String name, String field) throws IOException {
        JsonToken token = reader.peek();
        if (token != JsonToken.BEGIN_ARRAY) {
            throw fail(name, "'" + field + "' must be an array of non-negative integers, found " + describe(token));
        }
        long[] values = new long[4];
        int count = 0;
        reader.beginArray();
        while (reader.hasNext()) {
            JsonToken t = reader.peek();
            if (t != JsonToken.NUMBER) {
                throw fail(name, "'" + field + "' must hold only non-negative integers, found " + describe(t));
            }
            if (count == values.length) {
                values = Arrays.copyOf(values, count * 2);
            }
            values[count++] = parseNatural(name, field, reader.nextString());
        }
        reader.endArray();
        return Arrays.copyOf(values, count);
    }

    /** Parses a JSON number's text (as written) as a non-negative long. */
    private long parseNatural(String name, String field, String text) throws SafetensorsFormatException {
        boolean negative = text.startsWith("-");
        String digits = negative ? text.substring(1) : text;
        if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw fail(name, "'" + field + "' value " + abbreviate(text) + " is not an integer");
        }
        if (negative && !digits.chars().allMatch(c -> c == '0')) {
            throw fail(name, "'" + field + "' value " + abbreviate(text) + " is negative");
        }
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw fail(name, "'" + field + "' value " + abbreviate(text) + " is too large (over 2^63 - 1)");
        }
    }

    private void requireFirst(String name, String key, Object previous) throws SafetensorsFormatException {
        if (previous != null) {
            throw fail(name, "key '" + key + "' appears more than once in entry");
        }
    }

    private void requirePresent(String name, String key, Object value) throws SafetensorsFormatException {
        if (value == null) {
            throw fail(name, "entry is missing '" + key + "'");
        }
    }

    private SafetensorsFormatException fail(String tensor, String detail) {
        return new SafetensorsFormatException(file, tensor, detail);
    }

    /** Keeps messages short when a file holds a pathological number literal. */
    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }

    private static String describe(JsonToken token) {
        return switch (token) {
            case BEGIN_ARRAY -> "an array";
            case BEGIN_OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            case END_DOCUMENT -> "the end of the header";
            default -> token.toString();
        };
    }
}
