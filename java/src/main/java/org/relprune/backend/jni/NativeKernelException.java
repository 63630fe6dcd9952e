package org.relprune.backend.jni;

/** A native kernel returned a failure status. */
public final class NativeKernelException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String kernel;
    private final int status;

    public NativeKernelException(String kernel, int status, String message) {
        super(message);
        this.kernel = kernel;
        this.status = status;
    }

    public String kernel() {
        return kernel;
    }

    public int status() {
        return status;
    }
}
