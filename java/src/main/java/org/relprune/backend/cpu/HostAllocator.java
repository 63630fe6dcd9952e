package org.relprune.backend.cpu;

import org.bytedeco.javacpp.IntPointer;
import org.relprune.backend.jni.NativeKernels;
import org.relprune.backend.jni.NativeStatus;

/**
 * Host malloc settings for the CPU backends, applied once per process before the first one
 * opens. libtorch allocates every CPU tensor with malloc; with glibc's defaults a tensor above
 * 32 MiB is a fresh mmap on every allocation and a munmap on every free, so a batch loop spends
 * most of its time in page faults (docs/pruning.md: a `prune` command 7x slower). The tuned settings
 * keep up to 1 GiB per allocation in the heap and give freed memory back to the system only
 * above 1 GiB of free heap.
 *
 * <p>System property {@code relprune.hostMalloc}: {@code tuned} (default) or {@code system}
 * (glibc's defaults, e.g. to compare, or when the process's resident memory matters more).
 */
public final class HostAllocator {
    static final long MMAP_THRESHOLD = 1L << 30;
    static final long TRIM_THRESHOLD = 1L << 30;
    static final long TOP_PAD = 64L << 20;

    private static String state;

    private HostAllocator() {
    }

    /** Applies the setting (once); returns what is in effect, for backend descriptions and provenance. */
    public static synchronized String ensureConfigured() {
        if (state == null) {
            String mode = System.getProperty("relprune.hostMalloc", "tuned");
            switch (mode) {
                case "system" -> state = "system malloc";
                case "tuned" -> {
                    NativeKernels.load();
                    try (IntPointer applied = new IntPointer(1)) {
                        NativeStatus.check(NativeKernels.rp_tune_host_allocator(MMAP_THRESHOLD, TRIM_THRESHOLD, TOP_PAD, applied),
                                "rp_tune_host_allocator");
                        state = applied.get() == 1 ? "malloc tuned" : "system malloc (no mallopt in this C library)";
                    }
                }
                default -> throw new IllegalArgumentException("-Drelprune.hostMalloc=" + mode + ": expected tuned or system");
            }
        }
        return state;
    }
}
