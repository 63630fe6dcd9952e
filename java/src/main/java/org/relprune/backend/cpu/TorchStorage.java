package org.relprune.backend.cpu;

import org.bytedeco.javacpp.FloatPointer;
import org.relprune.tensor.Storage;

/** CPU memory held by a libtorch tensor (contiguous float32); views share libtorch's storage. */
final class TorchStorage implements Storage {
    final org.bytedeco.pytorch.Tensor torch;

    TorchStorage(org.bytedeco.pytorch.Tensor torch) {
        this.torch = torch;
    }

    FloatPointer data() {
        return torch.data_ptr_float();
    }

    @Override
    public void release() {
        torch.close();
    }
}
