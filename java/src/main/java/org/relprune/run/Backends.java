package org.relprune.run;

import java.io.PrintStream;
import java.util.Locale;
import org.relprune.backend.Backend;
import org.relprune.backend.BackendUnavailableException;
import org.relprune.backend.TrainingSession;
import org.relprune.backend.cpu.CpuBackend;
import org.relprune.backend.cpu.TorchTrainingSession;
import org.relprune.backend.cuda.CudaBackend;

/** Opens a backend by the names the CLI accepts: cpu, cuda, auto. */
public final class Backends {
    private Backends() {
    }

    /** Versions of the native stack, for provenance: relprune kernels, libtorch presets, JavaCPP. */
    public static java.util.Map<String, String> versions() {
        java.util.Map<String, String> v = new java.util.LinkedHashMap<>();
        v.put("relprune_kernels", org.relprune.backend.jni.NativeStatus.version());
        v.put("relprune_kernels_sha256", String.valueOf(org.relprune.backend.jni.NativeCache.kernelsSha256()));
        v.put("native_cache", org.relprune.backend.jni.NativeCache.describe());
        v.put("pytorch_presets", String.valueOf(org.bytedeco.pytorch.global.torch.class.getPackage().getImplementationVersion()));
        v.put("javacpp", String.valueOf(org.bytedeco.javacpp.Loader.class.getPackage().getImplementationVersion()));
        return v;
    }

    /**
     * Gives this build's native libraries an extraction folder of their own (NativeCache), before
     * anything loads them; the CLI calls it first thing. Returns how JavaCPP's cache dir was chosen.
     */
    public static String configureNativeCache() {
        return org.relprune.backend.jni.NativeCache.configure();
    }

    /** The project's native libraries: their SHA-256 and the folder they are (or will be) extracted into. */
    public static String nativeLibraries() {
        org.relprune.backend.jni.NativeCache.configure();
        String sha = org.relprune.backend.jni.NativeCache.kernelsSha256();
        return "native libraries " + (sha == null ? "(none on the class path)" : "sha256 " + sha.substring(0, 16))
                + ", JavaCPP cache " + System.getProperty(org.relprune.backend.jni.NativeCache.CACHE_DIR_PROPERTY, "default (~/.javacpp/cache)");
    }

    /**
     * {@code auto} tries CUDA and falls back to CPU, saying which it picked and why on {@code log};
     * {@code cuda} fails with {@link BackendUnavailableException} when CUDA cannot be used.
     */
    /** What trains a model on a device: libtorch autograd on the CPU (training runs there only today). */
    public static TrainingSession.Opener trainingSessions(String device) {
        if (!device.toLowerCase(Locale.ROOT).equals("cpu")) {
            throw new IllegalArgumentException("device '" + device + "': training runs on the CPU (libtorch) only today");
        }
        return TorchTrainingSession::new;
    }

    public static Backend open(String device, PrintStream log) {
        switch (device.toLowerCase(Locale.ROOT)) {
            case "cpu":
                return new CpuBackend();
            case "cuda":
                return CudaBackend.open();
            case "auto":
                try {
                    Backend b = CudaBackend.open();
                    log.println("device auto: using " + b.description());
                    return b;
                } catch (BackendUnavailableException e) {
                    Backend b = new CpuBackend();
                    log.println("device auto: " + e.getMessage() + "; using " + b.description());
                    return b;
                }
            default:
                throw new IllegalArgumentException("unknown device '" + device + "' (use cpu, cuda or auto)");
        }
    }
}
