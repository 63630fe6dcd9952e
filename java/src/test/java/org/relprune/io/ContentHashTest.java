package org.relprune.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relprune.io.data.Datasets;

/** File and folder fingerprints: sha256sum's digests, and a folder's as sha256sum's listing of its sorted files. */
class ContentHashTest {
    private static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aFileHashesAsSha256sum(@TempDir Path tmp) throws Exception {
        Path f = Files.writeString(tmp.resolve("abc"), "abc");
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ContentHash.file(f));
        byte[] big = new byte[(1 << 16) * 3 + 7]; // across the stream's buffer
        new java.util.Random(1).nextBytes(big);
        Files.write(f, big);
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(big)), ContentHash.of(f));
    }

    @Test
    void aFolderHashesItsSortedFiles(@TempDir Path tmp) throws Exception {
        Path d = Files.createDirectory(tmp.resolve("d"));
        Files.createDirectories(d.resolve("b"));
        Files.writeString(d.resolve("b").resolve("x.png"), "x");
        Files.writeString(d.resolve("a.bin"), "a");
        Files.writeString(d.resolve(".hidden"), "h");
        String expected = sha256(sha256("a") + "  a.bin\n" + sha256("x") + "  b/x.png\n");
        assertEquals(expected, ContentHash.of(d), "sha256sum a.bin b/x.png | sha256sum; dot-files left out");
        Files.writeString(d.resolve(".hidden"), "changed");
        assertEquals(expected, ContentHash.of(d));
        Files.move(d.resolve("a.bin"), d.resolve("c.bin"));
        assertNotEquals(expected, ContentHash.of(d), "a renamed file changes the folder's fingerprint");
        Files.move(d.resolve("c.bin"), d.resolve("a.bin"));
        Files.writeString(d.resolve("b").resolve("x.png"), "y");
        assertNotEquals(expected, ContentHash.of(d), "a changed file changes it");
        assertThrows(java.io.IOException.class, () -> ContentHash.of(Files.createDirectory(tmp.resolve("empty"))));
    }

    @Test
    void aDatasetFolderIsFingerprintedByItsDataFiles(@TempDir Path tmp) throws Exception {
        Path d = Files.createDirectory(tmp.resolve("mnist"));
        Files.writeString(d.resolve("t10k-images-idx3-ubyte.gz"), "images");
        Files.writeString(d.resolve("t10k-labels-idx1-ubyte"), "labels");
        String before = Datasets.fingerprint(d);
        Files.writeString(d.resolve("README.md"), "notes");
        assertEquals(before, Datasets.fingerprint(d), "a README beside the data is not the data");
        Files.writeString(d.resolve("t10k-labels-idx1-ubyte"), "other labels");
        assertNotEquals(before, Datasets.fingerprint(d));
        Path file = Files.writeString(tmp.resolve("data.safetensors"), "tensors");
        assertEquals(ContentHash.file(file), Datasets.fingerprint(file));
    }
}
