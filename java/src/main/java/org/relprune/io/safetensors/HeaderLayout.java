package org.relprune.io.safetensors;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.relprune.tensor.Shape;

/**
 * The meaning of the header entries: known dtype, a shape whose element count fits in a long, a
 * byte range that matches shape and dtype, lies inside the data section, and overlaps no other
 * tensor's range. Only what passes here becomes a {@link TensorEntry}, so reads need no checks
 * beyond the Java array limit.
 *
 * <p>Gaps between ranges are accepted (the reference implementation rejects them); zero-size
 * tensors hold no bytes and so cannot overlap anything.
 */
final class HeaderLayout {
    private HeaderLayout() {
    }

    static Map<String, TensorEntry> validate(Path file, List<HeaderJson.RawEntry> raw, long dataLength)
            throws SafetensorsFormatException {
        Map<String, TensorEntry> entries = new LinkedHashMap<>();
        for (HeaderJson.RawEntry r : raw) {
            TensorEntry entry = toEntry(file, r, dataLength);
            entries.put(entry.name(), entry);
        }
        checkNoOverlap(file, entries.values());
        return Collections.unmodifiableMap(entries);
    }

    private static TensorEntry toEntry(Path file, HeaderJson.RawEntry r, long dataLength)
            throws SafetensorsFormatException {
        String name = r.name();
        SafeDType dtype;
        try {
            dtype = SafeDType.fromHeaderName(r.dtype());
        } catch (IllegalArgumentException e) {
            throw new SafetensorsFormatException(file, name, e.getMessage());
        }
        long numel = elementCount(file, name, r.shape());
        long begin = r.dataOffsets()[0];
        long end = r.dataOffsets()[1];
        if (begin > end) {
            throw new SafetensorsFormatException(file, name,
                    "data_offsets begin " + begin + " is greater than end " + end);
        }
        long needed;
        try {
            needed = Math.multiplyExact(numel, (long) dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new SafetensorsFormatException(file, name, "shape " + shapeText(r.shape()) + " of dtype " + dtype
                    + " needs more than 2^63 - 1 bytes (overflow)");
        }
        if (end - begin != needed) {
            throw new SafetensorsFormatException(file, name, "data_offsets [" + begin + ", " + end + ") hold "
                    + (end - begin) + " bytes but dtype " + dtype + " with shape " + shapeText(r.shape())
                    + " needs " + needed + " bytes");
        }
        if (end > dataLength) {
            throw new SafetensorsFormatException(file, name, "data [" + begin + ", " + end
                    + ") exceeds the data section of " + dataLength + " bytes (file truncated?)");
        }
        return new TensorEntry(name, dtype, Shape.of(r.shape()), begin, end);
    }

    /**
     * The element count, rejecting shapes whose dimensions multiply past 2^63 - 1 even when a
     * zero dimension makes the count 0: such a shape is nonsense, and {@link Shape} refuses it.
     */
    private static long elementCount(Path file, String name, long[] dims) throws SafetensorsFormatException {
        long bound = 1;
        long numel = 1;
        for (long d : dims) {
            try {
                bound = Math.multiplyExact(bound, Math.max(d, 1));
            } catch (ArithmeticException e) {
                throw new SafetensorsFormatException(file, name,
                        "shape " + shapeText(dims) + " has too many elements (product overflows 64 bits)");
            }
            numel *= d;
        }
        return numel;
    }

    private static void checkNoOverlap(Path file, Iterable<TensorEntry> entries) throws SafetensorsFormatException {
        List<TensorEntry> sorted = new ArrayList<>();
        for (TensorEntry e : entries) {
            if (e.begin() < e.end()) {
                sorted.add(e);
            }
        }
        // Sorted by begin, the ranges are disjoint exactly when each starts at or after the
        // previous one's end; the first violation names a genuinely overlapping pair.
        sorted.sort(Comparator.comparingLong(TensorEntry::begin).thenComparingLong(TensorEntry::end));
        for (int i = 1; i < sorted.size(); i++) {
            TensorEntry prev = sorted.get(i - 1);
            TensorEntry cur = sorted.get(i);
            if (cur.begin() < prev.end()) {
                throw new SafetensorsFormatException(file, cur.name(), "data [" + cur.begin() + ", " + cur.end()
                        + ") overlaps tensor '" + prev.name() + "' [" + prev.begin() + ", " + prev.end() + ")");
            }
        }
    }

    private static String shapeText(long[] dims) {
        return Arrays.toString(dims);
    }
}
