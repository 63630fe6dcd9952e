package org.relprune.backend.jni;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.bytedeco.javacpp.Loader;

/**
 * Where this process's native libraries are extracted: a JavaCPP cache folder of this build's own,
 * {@code ~/.javacpp/cache/relprune-<version>-<sha256 of the project's native libraries, 16 hex>},
 * so that two builds running at once never share (and never rewrite) each other's extracted files.
 *
 * <p>JavaCPP extracts every library it loads from a jar into
 * {@code <cachedir>/<jar file name>/<path in the jar>} and re-extracts a file in place (delete,
 * write) whenever its size or time differs from the jar entry's. With the default cache dir, every
 * build of the project extracts into the same {@code relprune.jar/} (or {@code benchmarks.jar/})
 * folder: a start of build B rewrites the kernels while build A is between JavaCPP's check and its
 * dlopen, so A maps a half-written file (SIGSEGV in the dynamic loader) or B's library. Here each
 * set of native libraries has its own folder, the key being their content: the same files always
 * go to the same folder (the jar's entry times are fixed by {@code project.build.outputTimestamp},
 * so JavaCPP's size-and-time check never fires for an identical library), different files never do.
 *
 * <p>The setting is the system property {@code org.bytedeco.javacpp.cachedir}, which JavaCPP reads
 * once, the first time anything asks for its cache. {@link #configure()} sets it unless the user
 * did; the library calls it before every first touch of JavaCPP it makes (the static initializers
 * of {@link NativeKernels} and {@link NativeCudaKernels}, the backends, the CLI's main). A program
 * that loads a JavaCPP preset itself before using relprune should call {@code configure()} first,
 * or set the property itself (to a folder of its own per build).
 *
 * <p>System property {@code relprune.nativeCache}: {@code build} (default, the above) or
 * {@code shared} (leave JavaCPP's default layout; only to compare, see docs/reliability.md).
 */
public final class NativeCache {
    /** JavaCPP's own property (it also reads the camel-case spelling). */
    public static final String CACHE_DIR_PROPERTY = "org.bytedeco.javacpp.cachedir";
    public static final String MODE_PROPERTY = "relprune.nativeCache";
    /** The project's native libraries, beside {@link NativeKernels} in the jar under the platform's folder. */
    static final List<String> LIBRARIES = List.of("jniNativeKernels", "relprune_native", "jniNativeCudaKernels", "relprune_cuda");

    private static boolean configured;
    private static String how;
    private static String kernelsSha256;

    private NativeCache() {
    }

    /**
     * Sets JavaCPP's cache dir to this build's folder unless the user set one or chose the shared
     * layout (once; cheap: hashes 1.6 MB of resources, touches no native code). Returns how the
     * cache dir was chosen.
     */
    public static synchronized String configure() {
        if (configured) {
            return how;
        }
        configured = true;
        String user = userCacheDir();
        String mode = System.getProperty(MODE_PROPERTY, "build").trim().toLowerCase(Locale.ROOT);
        if (user != null) {
            how = "set by the user";
        } else if (mode.equals("shared")) {
            how = "JavaCPP's shared default (-D" + MODE_PROPERTY + "=shared)";
        } else if (!mode.equals("build")) {
            throw new IllegalArgumentException("-D" + MODE_PROPERTY + "=" + mode + ": expected build or shared");
        } else if (kernelsSha256() == null) {
            how = "JavaCPP's shared default (no relprune native libraries on the class path)";
        } else {
            Path dir = Paths.get(System.getProperty("user.home"), ".javacpp", "cache", folderName());
            System.setProperty(CACHE_DIR_PROPERTY, dir.toString());
            how = "this build's own";
        }
        return how;
    }

    /** {@code relprune-<version>-<first 16 hex digits of kernelsSha256>}. */
    public static String folderName() {
        String hash = kernelsSha256();
        return "relprune-" + version().replaceAll("[^A-Za-z0-9._-]", "_") + "-" + (hash == null ? "none" : hash.substring(0, 16));
    }

    /**
     * SHA-256 over the project's native libraries as the class path holds them (name, length and
     * bytes of each, in {@link #LIBRARIES} order), or null when there are none.
     */
    public static synchronized String kernelsSha256() {
        if (kernelsSha256 == null) {
            try {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                boolean any = false;
                for (String name : LIBRARIES) {
                    String file = System.mapLibraryName(name);
                    try (InputStream in = NativeKernels.class.getResourceAsStream(Loader.getPlatform() + "/" + file)) {
                        if (in == null) {
                            continue;
                        }
                        byte[] bytes = in.readAllBytes();
                        md.update((file + "\0" + bytes.length + "\0").getBytes(StandardCharsets.UTF_8));
                        md.update(bytes);
                        any = true;
                    }
                }
                kernelsSha256 = any ? HexFormat.of().formatHex(md.digest()) : null;
            } catch (IOException e) {
                kernelsSha256 = null;
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
        return kernelsSha256;
    }

    /** The project version from the jar's Maven metadata, else the manifest, else "dev". */
    public static String version() {
        try (InputStream in = NativeCache.class.getResourceAsStream("/META-INF/maven/org.relprune/relprune/pom.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version");
                if (v != null && !v.isBlank()) {
                    return v.trim();
                }
            }
        } catch (IOException e) {
            // fall through
        }
        String v = NativeCache.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /**
     * The cache dir JavaCPP uses (fixes it, as JavaCPP does on its first extraction), and how it was
     * chosen; says so when JavaCPP had chosen its dir before {@link #configure()} could set it.
     */
    public static String describe() {
        String chosen = configure();
        String dir;
        try {
            dir = Loader.getCacheDir().getAbsolutePath();
        } catch (IOException e) {
            return "no JavaCPP cache (" + e.getMessage() + ")";
        }
        String wanted = userCacheDir();
        if (chosen.equals("this build's own") && wanted != null && !Paths.get(dir).equals(Paths.get(wanted))) {
            return dir + " (JavaCPP chose it before relprune could set its own: shared by every build)";
        }
        return dir + " (" + chosen + ")";
    }

    private static String userCacheDir() {
        String s = System.getProperty(CACHE_DIR_PROPERTY);
        return s != null ? s : System.getProperty("org.bytedeco.javacpp.cacheDir");
    }

    /**
     * The file this process has mapped for a loaded library {@code name} (e.g. relprune_native), as
     * the loader opened it: {@code /proc/self/map_files} still reads the mapped inode when the path
     * has since been rewritten or deleted. Null when the library is not loaded or not found.
     */
    static Path mappedFile(String name) throws IOException {
        String file = System.mapLibraryName(name);
        Path maps = Paths.get("/proc/self/maps");
        if (!Files.isReadable(maps)) {
            return null;
        }
        for (String line : Files.readAllLines(maps)) {
            String[] f = line.trim().split("\\s+", 6);
            if (f.length == 6 && (f[5].endsWith("/" + file) || f[5].endsWith("/" + file + " (deleted)"))) {
                Path viaMap = Paths.get("/proc/self/map_files", f[0]);
                return Files.isReadable(viaMap) ? viaMap : Paths.get(f[5].replace(" (deleted)", ""));
            }
        }
        return null;
    }

    /**
     * Diagnostic for the native-cache stress test (tests/native-cache/stress.sh, NativeCacheStressTest):
     * loads the kernels (and with {@code --torch} libtorch), then prints one line of JSON: the
     * cache dir, the kernels hash this jar carries, the path of the kernels library JavaCPP loaded
     * and the hash of the library bytes this process actually mapped.
     */
    public static void main(String[] args) throws Exception {
        configure();
        NativeKernels.load();
        if (List.of(args).contains("--torch")) {
            Loader.load(org.bytedeco.pytorch.global.torch.class);
        }
        String loaded = null;
        for (Map.Entry<String, String> e : Loader.getLoadedLibraries().entrySet()) {
            if (e.getValue().endsWith("/" + System.mapLibraryName("relprune_native"))) {
                loaded = e.getValue();
            }
        }
        Path mapped = mappedFile("relprune_native");
        String mappedSha = mapped == null ? null
                : HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(mapped)));
        String resourceSha;
        try (InputStream in = NativeKernels.class.getResourceAsStream(Loader.getPlatform() + "/" + System.mapLibraryName("relprune_native"))) {
            resourceSha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(in.readAllBytes()));
        }
        System.out.println("{\"cache\": " + json(Loader.getCacheDir().getAbsolutePath()) + ", \"how\": " + json(how)
                + ", \"kernels_sha256\": " + json(kernelsSha256()) + ", \"loaded\": " + json(loaded)
                + ", \"resource_sha256\": " + json(resourceSha) + ", \"mapped_sha256\": " + json(mappedSha)
                + ", \"rp_version\": " + json(NativeStatus.version()) + "}");
    }

    private static String json(String s) {
        return s == null ? "null" : "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
