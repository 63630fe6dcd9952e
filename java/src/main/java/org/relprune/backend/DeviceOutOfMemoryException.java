package org.relprune.backend;

/**
 * A backend's device ran out of memory for a request even after it gave its cached memory back.
 * Backend-neutral, so that work split into batches ({@link BatchSplitter}) can retry with smaller
 * ones whatever the device; the message says how much was asked for and how much is held.
 */
public class DeviceOutOfMemoryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DeviceOutOfMemoryException(String message) {
        super(message);
    }

    public DeviceOutOfMemoryException(String message, Throwable cause) {
        super(message, cause);
    }
}
