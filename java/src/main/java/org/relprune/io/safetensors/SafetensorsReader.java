package org.relprune.io.safetensors;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import org.relprune.tensor.HostTensor;

/**
 * Reads tensors from a <a href="https://github.com/huggingface/safetensors">safetensors</a> file:
 * an 8-byte little-endian header length, a UTF-8 JSON header, then the raw data section.
 *
 * <p>{@link #open} reads and validates only the header, completely, so any malformed file is
 * rejected there with a {@link SafetensorsFormatException}; each read then fetches just that
 * tensor's bytes with positional reads, in bounded chunks. Positional reads make concurrent
 * reads from several threads safe. (As with any {@link FileChannel}, interrupting a thread
 * blocked in a read closes the reader.)
 */
public final class SafetensorsReader implements AutoCloseable {
    /** The reference implementation's limit; also what keeps a bogus length from allocating. */
    static final long MAX_HEADER_BYTES = 100_000_000L;
    /** The largest array length the JVMs in use reliably allocate. */
    static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;
    private static final int CHUNK_BYTES = 1 << 20;
    private static final int LENGTH_PREFIX_BYTES = 8;
    private static final int LISTED_NAMES = 10;

    private final Path file;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorEntry> entries;
    private final Map<String, String> metadata;

    private SafetensorsReader(Path file, FileChannel channel, long dataStart,
                              Map<String, TensorEntry> entries, Map<String, String> metadata) {
        this.file = file;
        this.channel = channel;
        this.dataStart = dataStart;
        this.entries = entries;
        this.metadata = metadata;
    }

    /**
     * Opens and validates a file.
     *
     * @throws SafetensorsFormatException when the file is not a well-formed safetensors file of
     *     supported dtypes; other {@link IOException}s when it cannot be read
     */
    public static SafetensorsReader open(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            long size = channel.size();
            if (size < LENGTH_PREFIX_BYTES) {
                throw new SafetensorsFormatException(file, "truncated: file is " + size
                        + " bytes, too short for the 8-byte header length");
            }
            ByteBuffer prefix = ByteBuffer.allocate(LENGTH_PREFIX_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, prefix, 0, file, null);
            long headerLength = prefix.getLong(0);
            // Both checks come before allocating the header buffer; a negative long is a u64 >= 2^63.
            if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
                throw new SafetensorsFormatException(file, "header length " + Long.toUnsignedString(headerLength)
                        + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
            }
            long available = size - LENGTH_PREFIX_BYTES;
            if (headerLength > available) {
                throw new SafetensorsFormatException(file, "header length " + headerLength + " exceeds the "
                        + available + " bytes that follow it (file truncated?)");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            readFully(channel, header, LENGTH_PREFIX_BYTES, file, null);
            HeaderJson.RawHeader raw = HeaderJson.parse(file, header.array());
            long dataLength = available - headerLength;
            Map<String, TensorEntry> entries = HeaderLayout.validate(file, raw.entries(), dataLength);
            return new SafetensorsReader(file, channel, LENGTH_PREFIX_BYTES + headerLength, entries,
                    Collections.unmodifiableMap(raw.metadata()));
        } catch (Throwable t) {
            try {
                channel.close();
            } catch (IOException e) {
                t.addSuppressed(e);
            }
            throw t;
        }
    }

    /** The file this reader was opened on. */
    public Path file() {
        return file;
    }

    /** All tensors in header order ({@code __metadata__} excluded); unmodifiable. */
    public Map<String, TensorEntry> entries() {
        return entries;
    }

    /** The header's {@code __metadata__} strings; empty when absent; unmodifiable. */
    public Map<String, String> metadata() {
        return metadata;
    }

    public boolean contains(String name) {
        return entries.containsKey(name);
    }

    /**
     * The entry of a tensor that must be present.
     *
     * @throws SafetensorsFormatException naming the missing tensor and listing some present ones
     */
    public TensorEntry entry(String name) throws SafetensorsFormatException {
        TensorEntry e = entries.get(name);
        if (e == null) {
            throw new SafetensorsFormatException(file, name, "no such tensor; " + describeAvailable());
        }
        return e;
    }

    /**
     * Reads a tensor as float32. F16, BF16 and F64 are converted (F64 rounded to nearest); integer
     * dtypes are converted too, exactly only up to 2^24 in magnitude.
     */
    public HostTensor readFloat(String name) throws IOException {
        TensorEntry e = entry(name);
        float[] out = new float[checkArrayLength(file, e)];
        readElements(e, out.length, (buf, offset, count) -> ElementDecoder.toFloats(e.dtype(), buf, out, offset, count));
        return new HostTensor(e.shape(), out);
    }

    /**
     * Reads an integer tensor (I64, I32, U8, BOOL) exactly, flattened in row-major order; U8 is
     * unsigned, BOOL is 0 or 1. The shape is in {@link #entry}.
     *
     * @throws SafetensorsFormatException when the tensor has a floating-point dtype
     */
    public long[] readLongs(String name) throws IOException {
        TensorEntry e = entry(name);
        if (e.dtype().isFloatingPoint()) {
            throw new SafetensorsFormatException(file, name, "dtype " + e.dtype()
                    + " is not an integer dtype; read it with readFloat");
        }
        long[] out = new long[checkArrayLength(file, e)];
        readElements(e, out.length, (buf, offset, count) -> ElementDecoder.toLongs(e.dtype(), buf, out, offset, count));
        return out;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /** The element count as a Java array length, or a clear error when no array can hold it. */
    static int checkArrayLength(Path file, TensorEntry e) throws SafetensorsFormatException {
        long n = e.numel();
        if (n > MAX_ARRAY_LENGTH) {
            throw new SafetensorsFormatException(file, e.name(), "has " + n + " elements (shape " + e.shape()
                    + "), more than one Java array can hold (" + MAX_ARRAY_LENGTH + ")");
        }
        return (int) n;
    }

    /** Receives consecutive chunks of whole elements: {@code count} of them, starting at element {@code offset}. */
    @FunctionalInterface
    private interface ChunkDecoder {
        void decode(ByteBuffer chunk, int offset, int count);
    }

    private void readElements(TensorEntry e, int count, ChunkDecoder decoder) throws IOException {
        if (!channel.isOpen()) {
            throw new IOException(file + ": reader is closed");
        }
        int size = e.dtype().byteSize();
        int chunkElements = Math.max(1, Math.min(count, CHUNK_BYTES / size));
        ByteBuffer buf = ByteBuffer.allocate(chunkElements * size).order(ByteOrder.LITTLE_ENDIAN);
        long position = dataStart + e.begin();
        for (int done = 0; done < count; ) {
            int n = Math.min(chunkElements, count - done);
            buf.clear().limit(n * size);
            readFully(channel, buf, position, file, e.name());
            buf.flip();
            decoder.decode(buf, done, n);
            done += n;
            position += (long) n * size;
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buf, long position, Path file, String tensor)
            throws IOException {
        while (buf.hasRemaining()) {
            int read = channel.read(buf, position);
            if (read < 0) {
                throw new SafetensorsFormatException(file, tensor, "truncated: file ends at byte " + position
                        + " (was it changed after it was opened?)");
            }
            position += read;
        }
    }

    private String describeAvailable() {
        if (entries.isEmpty()) {
            return "the file holds no tensors";
        }
        StringBuilder sb = new StringBuilder("available (").append(entries.size()).append("): ");
        Iterator<String> names = entries.keySet().iterator();
        for (int i = 0; i < LISTED_NAMES && names.hasNext(); i++) {
            sb.append(i == 0 ? "" : ", ").append(names.next());
        }
        if (entries.size() > LISTED_NAMES) {
            sb.append(", ... and ").append(entries.size() - LISTED_NAMES).append(" more");
        }
        return sb.toString();
    }
}
