package org.relprune.backend.cpu;

import org.bytedeco.javacpp.IntPointer;
import org.relprune.backend.jni.NativeKernels;
import org.relprune.backend.jni.NativeStatus;

/**
 * Makes the thread pools under libtorch sleep when idle (libgomp's and OpenBLAS's spin by default
 * and then take the cores from the next step: LRP on ResNet-18 was 10-15% slower on two cores,
 * docs/lrp.md). Their settings are environment variables read when libtorch loads, so this runs
 * before the first CPU backend touches libtorch; a value already in the environment is left as
 * it is.
 */
final class IdleThreads {
    private static String state;

    private IdleThreads() {
    }

    /** Applies the settings (once); returns what is in effect, for backend descriptions. */
    static synchronized String ensureQuiet() {
        if (state == null) {
            NativeKernels.load();
            try (IntPointer set = new IntPointer(1)) {
                NativeStatus.check(NativeKernels.rp_quiet_idle_threads(set), "rp_quiet_idle_threads");
                state = "idle threads sleep (GOMP_SPINCOUNT=" + env("GOMP_SPINCOUNT", (set.get() & 1) != 0, "0")
                        + ", OPENBLAS_THREAD_TIMEOUT=" + env("OPENBLAS_THREAD_TIMEOUT", (set.get() & 2) != 0, "4") + ")";
            }
        }
        return state;
    }

    private static String env(String name, boolean setHere, String value) {
        return setHere ? value : String.valueOf(System.getenv(name));
    }
}
