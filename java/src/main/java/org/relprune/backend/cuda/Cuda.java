package org.relprune.backend.cuda;

import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.cuda.global.cudnn;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;

/** Status checks of the CUDA libraries and the device pointer type, shared by the CUDA backend. */
final class Cuda {
    private Cuda() {
    }

    /**
     * A device address as a JavaCPP pointer, with position 0 and no deallocator: JavaCPP passes
     * {@code address} unchanged to native code (checked against the JavaCPP 1.5.13 generator:
     * a plain Pointer argument adds {@code position} bytes, a FloatPointer {@code 4 * position}; we
     * never set a position, offsets are added to the address instead). A FloatPointer so that it
     * fits both the cuBLAS float* parameters and the plain Pointer parameters of cudart, cuDNN
     * and our kernels. Never dereference it on the host.
     */
    static final class DevicePointer extends FloatPointer {
        DevicePointer(long address) {
            super();
            this.address = address;
        }
    }

    static void check(int error, String call) {
        if (error != cudart.cudaSuccess) {
            String text = errorText(error);
            cudart.cudaGetLastError(); // do not leave a non-sticky error for the next launch check
            throw new CudaException(call + " failed: " + text + " (cudaError " + error + ")");
        }
    }

    static String errorText(int error) {
        BytePointer s = cudart.cudaGetErrorString(error);
        return s == null ? "unknown error" : s.getString();
    }

    static void checkCublas(int status, String call) {
        if (status != cublas.CUBLAS_STATUS_SUCCESS) {
            BytePointer s = cublas.cublasGetStatusString(status);
            throw new CudaException(call + " failed: " + (s == null ? "" : s.getString()) + " (cublasStatus " + status + ")");
        }
    }

    static void checkCudnn(int status, String call) {
        if (status != cudnn.CUDNN_STATUS_SUCCESS) {
            BytePointer s = cudnn.cudnnGetErrorString(status);
            String detail = "";
            try (BytePointer buf = new BytePointer(512)) {
                cudnn.cudnnGetLastErrorString(buf, 512);
                detail = buf.getString();
            } catch (RuntimeException | UnsatisfiedLinkError e) {
                // the detail is optional
            }
            throw new CudaException(call + " failed: " + (s == null ? "" : s.getString()) + " (cudnnStatus " + status + ")"
                    + (detail.isBlank() ? "" : ": " + detail.strip()));
        }
    }
}
