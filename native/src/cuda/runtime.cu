// Device queries and stream synchronization: the non-kernel part of the CUDA ABI.
#include "cuda_common.cuh"

int rp_has_cuda_kernels(void) { return 1; }

int rp_cuda_device_count(int *count) try {
    if (count == nullptr) {
        rp_set_error("rp_cuda_device_count: count is NULL");
        return RP_ERR_INVALID_ARGUMENT;
    }
    *count = 0;
    int n = 0;
    const cudaError_t err = cudaGetDeviceCount(&n);
    // no device is an answer, not a failure: callers probe with this before choosing a backend
    if (err == cudaErrorNoDevice) {
        cudaGetLastError(); // do not leave the error pending for the next launch check
        return RP_OK;
    }
    if (err != cudaSuccess) {
        cudaGetLastError();
        rp_set_error("rp_cuda_device_count: cudaGetDeviceCount failed: %s (%s)",
                     cudaGetErrorString(err), cudaGetErrorName(err));
        return RP_ERR_CUDA;
    }
    *count = n;
    return RP_OK;
} catch (...) {
    return rp_internal_error("rp_cuda_device_count");
}

int rp_cuda_synchronize(void *stream) try {
    const cudaError_t err = cudaStreamSynchronize(rp::as_stream(stream));
    if (err != cudaSuccess) {
        rp_set_error("rp_cuda_synchronize: %s (%s)", cudaGetErrorString(err), cudaGetErrorName(err));
        return RP_ERR_CUDA;
    }
    return RP_OK;
} catch (...) {
    return rp_internal_error("rp_cuda_synchronize");
}
