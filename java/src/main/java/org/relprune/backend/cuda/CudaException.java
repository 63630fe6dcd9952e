package org.relprune.backend.cuda;

/** A CUDA runtime, cuBLAS or cuDNN call failed; the message names the call and the library's error text. */
public class CudaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CudaException(String message) {
        super(message);
    }
}
