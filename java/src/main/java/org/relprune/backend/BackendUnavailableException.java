package org.relprune.backend;

/** The requested backend cannot run on this machine (e.g. no CUDA driver); the message says why. */
public final class BackendUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BackendUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
