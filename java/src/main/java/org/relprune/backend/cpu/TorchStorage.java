package org.relprune.backend.cpu;

import org.bytedeco.javacpp.FloatPointer;
import org.relprune.tensor.Storage;

/**
 * CPU memory held by a libtorch tensor (float32, dense); views share libtorch's storage. Its
 * memory order is row-major, or channels-last for a 4-D image tensor ({@link CpuLayout}).
 */
final class TorchStorage implements Storage {
    final org.bytedeco.pytorch.Tensor torch;
    /** [n, c, h, w] stored as [n, h, w, c] in memory. */
    final boolean channelsLast;

    TorchStorage(org.bytedeco.pytorch.Tensor torch, boolean channelsLast) {
        this.torch = torch;
        this.channelsLast = channelsLast;
    }

    FloatPointer data() {
        return torch.data_ptr_float();
    }

    @Override
    public void release() {
        torch.close();
    }
}
