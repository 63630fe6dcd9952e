package org.relprune.backend;

import java.io.PrintStream;
import java.util.Locale;
import org.relprune.backend.cpu.CpuBackend;
import org.relprune.backend.cuda.CudaBackend;

/** Opens a backend by the names the CLI accepts: cpu, cuda, auto. */
public final class Backends {
    private Backends() {
    }

    /**
     * {@code auto} tries CUDA and falls back to CPU, saying which it picked and why on {@code log};
     * {@code cuda} fails with {@link BackendUnavailableException} when CUDA cannot be used.
     */
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
