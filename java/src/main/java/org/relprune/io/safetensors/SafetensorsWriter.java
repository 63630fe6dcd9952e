package org.relprune.io.safetensors;

import org.relprune.io.AtomicFileWrite;

import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Shape;

/**
 * Writes safetensors files: F32 tensors, plus I64 tensors (for labels and indices) through the
 * {@link Builder}. Tensors are laid out contiguously in insertion order; the header JSON is padded
 * with spaces to a multiple of 8 bytes, as the reference implementation does, so the data section
 * starts 8-byte aligned. {@code __metadata__} is written only when there is some.
 *
 * <p>The file is replaced atomically (see {@link AtomicFileWrite}): a failed write leaves any
 * existing file as it was and no temporary file behind. The parent directory must exist.
 */
public final class SafetensorsWriter {
    private static final int CHUNK_BYTES = 1 << 20;

    private SafetensorsWriter() {
    }

    /**
     * Writes float32 tensors in the map's iteration order.
     *
     * @param metadata string metadata; may be empty or {@code null}
     * @throws IllegalArgumentException for a tensor named {@code ""} or {@code "__metadata__"}
     */
    public static void write(Path out, Map<String, HostTensor> tensors, Map<String, String> metadata)
            throws IOException {
        Builder builder = builder();
        tensors.forEach(builder::addFloat);
        if (metadata != null) {
            metadata.forEach(builder::metadata);
        }
        builder.write(out);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Collects tensors and metadata, then writes them in insertion order. Arrays are not copied:
     * they must not change until {@link #write} returns.
     */
    public static final class Builder {
        private final Map<String, Pending> tensors = new LinkedHashMap<>();
        private final Map<String, String> metadata = new LinkedHashMap<>();

        private Builder() {
        }

        /** Adds a float32 tensor. */
        public Builder addFloat(String name, HostTensor tensor) {
            Objects.requireNonNull(tensor, "tensor");
            return add(name, new Pending(SafeDType.F32, tensor.shape(), tensor.data(), null));
        }

        /** Adds an I64 tensor; {@code values} are row-major and must number {@code shape.numel()}. */
        public Builder addLongs(String name, Shape shape, long[] values) {
            Objects.requireNonNull(shape, "shape");
            Objects.requireNonNull(values, "values");
            if (shape.numel() != values.length) {
                throw new IllegalArgumentException("tensor '" + name + "': shape " + shape + " needs "
                        + shape.numel() + " values, got " + values.length);
            }
            return add(name, new Pending(SafeDType.I64, shape, null, values));
        }

        /** Sets a {@code __metadata__} entry (a later call for the same key replaces it). */
        public Builder metadata(String key, String value) {
            metadata.put(Objects.requireNonNull(key, "metadata key"),
                    Objects.requireNonNull(value, () -> "metadata value for '" + key + "'"));
            return this;
        }

        public void write(Path out) throws IOException {
            byte[] header = header(tensors, metadata);
            AtomicFileWrite.write(out, channel -> {
                ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
                prefix.putLong(header.length).flip();
                writeFully(channel, prefix);
                writeFully(channel, ByteBuffer.wrap(header));
                ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
                for (Pending p : tensors.values()) {
                    p.writeData(channel, chunk);
                }
            });
        }

        private Builder add(String name, Pending pending) {
            Objects.requireNonNull(name, "tensor name");
            if (name.isEmpty()) {
                throw new IllegalArgumentException("tensor name must not be empty");
            }
            if (HeaderJson.METADATA_KEY.equals(name)) {
                throw new IllegalArgumentException("tensor name '" + name + "' is reserved for the metadata");
            }
            if (tensors.putIfAbsent(name, pending) != null) {
                throw new IllegalArgumentException("tensor '" + name + "' added twice");
            }
            return this;
        }
    }

    /** One tensor to write: exactly one of {@code floats} and {@code longs} is set. */
    private record Pending(SafeDType dtype, Shape shape, float[] floats, long[] longs) {
        long byteSize() {
            return shape.numel() * dtype.byteSize();
        }

        void writeData(FileChannel channel, ByteBuffer chunk) throws IOException {
            int length = floats != null ? floats.length : longs.length;
            int perChunk = chunk.capacity() / dtype.byteSize();
            for (int offset = 0; offset < length; offset += perChunk) {
                int n = Math.min(perChunk, length - offset);
                chunk.clear();
                if (floats != null) {
                    chunk.asFloatBuffer().put(floats, offset, n);
                } else {
                    chunk.asLongBuffer().put(longs, offset, n);
                }
                chunk.limit(n * dtype.byteSize());
                writeFully(channel, chunk);
            }
        }
    }

    /** The header JSON, UTF-8, space-padded to a multiple of 8 bytes. */
    private static byte[] header(Map<String, Pending> tensors, Map<String, String> metadata) throws IOException {
        StringWriter text = new StringWriter();
        try (JsonWriter json = new JsonWriter(text)) {
            json.beginObject();
            if (!metadata.isEmpty()) {
                json.name(HeaderJson.METADATA_KEY).beginObject();
                for (Map.Entry<String, String> m : metadata.entrySet()) {
                    json.name(m.getKey()).value(m.getValue());
                }
                json.endObject();
            }
            long offset = 0;
            for (Map.Entry<String, Pending> t : tensors.entrySet()) {
                Pending p = t.getValue();
                long end = Math.addExact(offset, p.byteSize());
                json.name(t.getKey()).beginObject();
                json.name("dtype").value(p.dtype().headerName());
                json.name("shape").beginArray();
                for (long d : p.shape().dims()) {
                    json.value(d);
                }
                json.endArray();
                json.name("data_offsets").beginArray().value(offset).value(end).endArray();
                json.endObject();
                offset = end;
            }
            json.endObject();
        }
        byte[] utf8 = encodeUtf8(text.toString());
        if (utf8.length > SafetensorsReader.MAX_HEADER_BYTES) {
            throw new IllegalArgumentException("header of " + utf8.length + " bytes exceeds the limit of "
                    + SafetensorsReader.MAX_HEADER_BYTES + " bytes");
        }
        int padded = (utf8.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(utf8, padded);
        Arrays.fill(out, utf8.length, padded, (byte) ' ');
        return out;
    }

    /** Strict encoding: a name with a lone surrogate would otherwise be written as '?'. */
    private static byte[] encodeUtf8(String s) {
        try {
            ByteBuffer b = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(s));
            return Arrays.copyOf(b.array(), b.limit());
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("a tensor name or metadata string is not valid Unicode", e);
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            channel.write(buf);
        }
    }
}
