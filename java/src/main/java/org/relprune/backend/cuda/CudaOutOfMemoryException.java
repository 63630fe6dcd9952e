package org.relprune.backend.cuda;

import org.relprune.backend.DeviceOutOfMemoryException;

/**
 * CUDA device memory (or the backend's memory limit) ran out even after the allocator gave its
 * cached blocks back; the message says how much was asked for and how much this backend holds.
 */
public final class CudaOutOfMemoryException extends DeviceOutOfMemoryException {
    private static final long serialVersionUID = 1L;

    public CudaOutOfMemoryException(String message) {
        super(message);
    }
}
