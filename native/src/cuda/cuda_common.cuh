// Shared by the CUDA twins: launch shapes, launch-error reporting and block reductions.
#pragma once

#include <cuda_runtime.h>

#include "../common/rp_check.h"

namespace rp {

constexpr int kThreads = 256;
// Grid-stride loops cover any size, so grids never need to exceed this many blocks.
constexpr int64_t kMaxBlocks = int64_t(1) << 20;

inline cudaStream_t as_stream(void *stream) { return static_cast<cudaStream_t>(stream); }

// Blocks for a grid-stride loop over count > 0 items.
inline unsigned grid_for(int64_t count, int threads = kThreads) {
    const int64_t blocks = (count + threads - 1) / threads;
    return (unsigned)(blocks < kMaxBlocks ? blocks : kMaxBlocks);
}

// Threads for a one-block-per-row kernel: a multiple of the warp size (the reductions use
// full-warp shuffles), no wider than the row needs.
inline int row_threads(int64_t cols) {
    int t = 32;
    while (t < 1024 && t < cols) t *= 2;
    return t < 256 ? t : 256;
}

// Called right after each launch: reports configuration errors at once, as relprune.h promises.
inline int check_launch(const char *fn) {
    const cudaError_t err = cudaGetLastError();
    if (err == cudaSuccess) return RP_OK;
    rp_set_error("%s: kernel launch failed: %s (%s)", fn, cudaGetErrorString(err), cudaGetErrorName(err));
    return RP_ERR_CUDA;
}

// 64-bit grid-stride index: tensors may hold more than 2^31 elements.
__device__ __forceinline__ int64_t global_index() {
    return (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
}
__device__ __forceinline__ int64_t global_stride() { return (int64_t)gridDim.x * blockDim.x; }

__device__ __forceinline__ float warp_sum(float v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

// Block-wide reductions; every thread gets the result. blockDim.x must be a multiple of 32 and
// every thread of the block must call them (they synchronize). smem: 32 floats of shared memory.
__device__ __forceinline__ float block_sum(float v, float *smem) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nwarps = blockDim.x >> 5;
    v = warp_sum(v);
    __syncthreads(); // smem may still be read by the previous reduction
    if (lane == 0) smem[warp] = v;
    __syncthreads();
    // every warp reduces the per-warp partials itself, which saves a broadcast round
    return warp_sum(lane < nwarps ? smem[lane] : 0.0f);
}

__device__ __forceinline__ float block_max(float v, float *smem) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nwarps = blockDim.x >> 5;
    v = warp_max(v);
    __syncthreads();
    if (lane == 0) smem[warp] = v;
    __syncthreads();
    return warp_max(lane < nwarps ? smem[lane] : -INFINITY);
}

} // namespace rp
