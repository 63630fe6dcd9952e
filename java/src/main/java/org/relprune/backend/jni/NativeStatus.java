package org.relprune.backend.jni;

/** Turns the rp_status codes of the native library into exceptions. */
public final class NativeStatus {
    public static final int OK = 0;
    public static final int NO_CUDA = 3;

    private NativeStatus() {
    }

    /** Throws {@link NativeKernelException} naming the kernel and the native message unless status is OK. */
    public static void check(int status, String kernel) {
        if (status != OK) {
            String name = NativeKernels.rp_status_name(status).getString();
            String detail = NativeKernels.rp_last_error().getString();
            throw new NativeKernelException(kernel, status,
                    kernel + " failed: " + name + (detail.isEmpty() ? "" : " (" + detail + ")"));
        }
    }

    public static String version() {
        return NativeKernels.rp_version().getString();
    }
}
