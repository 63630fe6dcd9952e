package org.relprune.backend.cuda;

import org.relprune.tensor.Storage;

/**
 * Device memory of one CUDA tensor: a reference to a refcounted {@link DeviceAllocator.Block}
 * plus a byte offset into it, so that reshape and select views share the memory of the tensor
 * they view. Each storage holds one reference and gives it back on {@link #release()}; the block
 * returns to the allocator when the last view is released.
 */
public final class CudaStorage implements Storage {
    private final DeviceAllocator.Block block;
    private final long offsetBytes;
    private boolean released;

    /** Takes over the block's reference (a fresh allocation). */
    CudaStorage(DeviceAllocator.Block block, long offsetBytes) {
        this.block = block;
        this.offsetBytes = offsetBytes;
    }

    /** A view {@code extraBytes} further into the same block, holding its own reference. */
    CudaStorage view(long extraBytes) {
        block.retain();
        return new CudaStorage(block, offsetBytes + extraBytes);
    }

    /** Device address of the first element; fails loudly after release or after the backend closed. */
    long address() {
        if (released) {
            throw new IllegalStateException("CUDA tensor storage used after release");
        }
        return block.address() + offsetBytes;
    }

    long offsetBytes() {
        return offsetBytes;
    }

    DeviceAllocator allocator() {
        return block.owner();
    }

    @Override
    public void release() {
        if (!released) {
            released = true;
            block.release();
        }
    }
}
