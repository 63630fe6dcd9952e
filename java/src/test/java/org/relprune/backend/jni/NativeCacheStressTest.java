package org.relprune.backend.jni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.bytedeco.javacpp.Loader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two builds of the project started alternately and at once, with one fresh HOME (issue 15, item
 * 6): two jars of the same name, relprune.jar, in two folders (as two worktrees or a rebuilt
 * checkout), the second with a different kernels library. Each start is a JVM that loads the
 * kernels through JavaCPP ({@link NativeCache#main}). With the per-build cache every start loads
 * its own build's library from its own folder and no extracted file is ever rewritten; with
 * JavaCPP's shared layout ({@code -Drelprune.nativeCache=shared}) every start of the other build
 * rewrites the library in place, the window in which a starting JVM maps a half-written file or
 * the other build's. The longer version with libtorch: tests/native-cache/stress.sh.
 */
class NativeCacheStressTest {
    private static final int STARTS = 20;
    private static final long FIXED_TIME = 1767225600000L; // 2026-01-01, as project.build.outputTimestamp

    @TempDir
    static Path tmp;
    private static Path classes;
    private static String dependencies;

    @BeforeAll
    static void locateBuild() throws Exception {
        Path where = Paths.get(NativeKernels.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        classes = Files.isDirectory(where) ? where : null;
        assumeTrue(classes != null && Files.exists(kernels(classes)), "the compiled classes with their natives (mvn process-classes)");
        dependencies = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> e.contains("javacpp") || e.contains("pytorch") || e.contains("openblas"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    @Test
    void twoBuildsNeverShareOrRewriteTheirLibraries() throws Exception {
        Path a = jar(tmp.resolve("build-a"), null);
        Path b = jar(tmp.resolve("build-b"), "relprune native cache test: build B");
        Path home = Files.createDirectories(tmp.resolve("home-per-build"));
        List<JsonObject> runs = new ArrayList<>();
        Object[] firstA = null;
        Object[] firstB = null;
        for (int i = 0; i < STARTS / 2; i++) {
            // a pair at once, the order alternating
            Path first = i % 2 == 0 ? a : b;
            Path second = i % 2 == 0 ? b : a;
            Process p1 = start(first, home, "build");
            Process p2 = start(second, home, "build");
            JsonObject r1 = finish(p1, first);
            JsonObject r2 = finish(p2, second);
            runs.add(r1);
            runs.add(r2);
            if (i == 0) {
                firstA = identity(Paths.get((i % 2 == 0 ? r1 : r2).get("loaded").getAsString()));
                firstB = identity(Paths.get((i % 2 == 0 ? r2 : r1).get("loaded").getAsString()));
            }
        }
        String dirA = null;
        String dirB = null;
        for (JsonObject r : runs) {
            Path jar = Paths.get(r.get("jar").getAsString());
            String hash = r.get("kernels_sha256").getAsString();
            assertEquals(home.resolve(".javacpp/cache/relprune-" + NativeCache.version() + "-" + hash.substring(0, 16)).toString(),
                    r.get("cache").getAsString(), "the cache folder is named by the build's natives");
            assertTrue(r.get("loaded").getAsString().startsWith(r.get("cache").getAsString() + "/"), r.toString());
            assertEquals(r.get("resource_sha256").getAsString(), r.get("mapped_sha256").getAsString(),
                    "the process mapped its own build's library: " + r);
            if (jar.equals(a)) {
                dirA = r.get("cache").getAsString();
            } else {
                dirB = r.get("cache").getAsString();
            }
        }
        assertNotEquals(dirA, dirB, "two builds, two folders");
        // no file was rewritten after its first extraction: same inode and change time after all the starts
        assertEquals(List.of(firstA), List.of(identity((Path) firstA[0])));
        assertEquals(List.of(firstB), List.of(identity((Path) firstB[0])));
    }

    /** The old layout, to show what the per-build folders prevent: each start rewrites the other build's library. */
    @Test
    void sharedLayoutRewritesTheOtherBuildsLibraryInPlace() throws Exception {
        Path a = jar(tmp.resolve("shared-a"), null);
        Path b = jar(tmp.resolve("shared-b"), "relprune native cache test: build B");
        Path home = Files.createDirectories(tmp.resolve("home-shared"));
        JsonObject ra = finish(start(a, home, "shared"), a);
        Path lib = Paths.get(ra.get("loaded").getAsString());
        Object[] afterA = identity(lib);
        JsonObject rb = finish(start(b, home, "shared"), b);
        assertEquals(ra.get("loaded").getAsString(), rb.get("loaded").getAsString(), "both builds extract to the same file");
        assertNotEquals(afterA[1], identity(lib)[1], "build B's start replaced build A's extracted library (its size)");
        finish(start(a, home, "shared"), a);
        assertEquals(afterA[1], identity(lib)[1], "and build A's next start replaced it again");
    }

    private static Path kernels(Path root) {
        return root.resolve("org/relprune/backend/jni/" + Loader.getPlatform() + "/" + System.mapLibraryName("relprune_native"));
    }

    /** relprune.jar in dir: the compiled classes and natives, the kernels library with text appended (still a valid ELF). */
    private static Path jar(Path dir, String appendToKernels) throws IOException {
        Path jar = Files.createDirectories(dir).resolve("relprune.jar");
        Path kernels = kernels(classes);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar)); Stream<Path> files = Files.walk(classes)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                JarEntry e = new JarEntry(classes.relativize(f).toString().replace(File.separatorChar, '/'));
                e.setTime(FIXED_TIME);
                out.putNextEntry(e);
                out.write(Files.readAllBytes(f));
                if (appendToKernels != null && f.equals(kernels)) {
                    out.write(appendToKernels.getBytes(StandardCharsets.UTF_8));
                }
                out.closeEntry();
            }
        }
        return jar;
    }

    private static Process start(Path jar, Path home, String layout) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-Duser.home=" + home, "-D" + NativeCache.MODE_PROPERTY + "=" + layout, "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-cp", jar + File.pathSeparator + dependencies, NativeCache.class.getName());
        pb.environment().remove("JAVA_TOOL_OPTIONS"); // a cache dir set there would override the layout under test
        pb.environment().put("HOME", home.toString());
        pb.redirectErrorStream(true);
        return pb.start();
    }

    private static JsonObject finish(Process p, Path jar) throws Exception {
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the start finished");
        assertEquals(0, p.exitValue(), "a start of " + jar + " failed:\n" + out);
        String line = out.lines().filter(l -> l.startsWith("{")).reduce((x, y) -> y).orElseThrow(() -> new AssertionError(out));
        JsonObject r = JsonParser.parseString(line).getAsJsonObject();
        r.addProperty("jar", jar.toString());
        return r;
    }

    /** Path, size, inode and change time (a re-extraction by JavaCPP gives a new inode and ctime, though the same mtime). */
    private static Object[] identity(Path f) throws IOException {
        return new Object[] {f, Files.size(f), Files.getAttribute(f, "unix:ino"), Files.getAttribute(f, "unix:ctime").toString()};
    }
}
