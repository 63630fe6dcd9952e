package org.relprune.io.safetensors;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds safetensors files byte by byte, independently of {@link SafetensorsWriter}. */
final class RawFiles {
    private RawFiles() {
    }

    /** A file with the given header JSON (length prefix computed) followed by {@code data}. */
    static Path withHeader(Path dir, String name, String headerJson, byte[] data) throws IOException {
        byte[] header = headerJson.getBytes(StandardCharsets.UTF_8);
        return withHeaderBytes(dir, name, header, data);
    }

    static Path withHeaderBytes(Path dir, String name, byte[] header, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header).put(data);
        return Files.write(dir.resolve(name), b.array());
    }

    /** A file whose length prefix is {@code declaredLength} regardless of what follows. */
    static Path withDeclaredLength(Path dir, String name, long declaredLength, byte[] rest) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 + rest.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredLength).put(rest);
        return Files.write(dir.resolve(name), b.array());
    }

    static ByteBuffer le(int capacity) {
        return ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
    }

    static byte[] zeros(int n) {
        return new byte[n];
    }
}
