package org.relprune.backend.cpu;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.pytorch.global.torch;
import org.relprune.tensor.DType;
import org.relprune.tensor.Device;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Shape;
import org.relprune.tensor.Tensor;

/** Conversions between our {@link Tensor} and libtorch tensors on the CPU. */
final class TorchTensors {
    private TorchTensors() {
    }

    /** Wraps (and owns) a libtorch float32 tensor, made contiguous first. */
    static Tensor wrap(org.bytedeco.pytorch.Tensor t) {
        return wrap(t, DType.F32);
    }

    /**
     * Wraps (and owns) a libtorch tensor of element type {@code dtype}: a 4-D tensor in
     * channels-last order stays so ({@link CpuLayout}), anything else is made row-major first.
     */
    static Tensor wrap(org.bytedeco.pytorch.Tensor t, DType dtype) {
        org.bytedeco.pytorch.Tensor c = t;
        boolean channelsLast = false;
        if (!t.is_contiguous()) {
            if (t.dim() == 4 && t.is_contiguous(torch.MemoryFormat.ChannelsLast)) {
                channelsLast = true;
            } else {
                c = t.contiguous();
                t.close();
            }
        }
        long[] dims = new long[(int) c.dim()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = c.size(i);
        }
        return new Tensor(Shape.of(dims), dtype, Device.CPU, new TorchStorage(c, channelsLast));
    }

    /** Wraps a libtorch tensor in the CPU backend's order for its shape: 4-D images channels-last ({@link CpuLayout}). */
    static Tensor wrapImage(org.bytedeco.pytorch.Tensor t) {
        if (t.dim() == 4 && !t.is_contiguous(torch.MemoryFormat.ChannelsLast)) {
            org.bytedeco.pytorch.Tensor c = t.contiguous(torch.MemoryFormat.ChannelsLast);
            t.close();
            return wrap(c);
        }
        return wrap(t);
    }

    static org.bytedeco.pytorch.Tensor t(Tensor x) {
        return x.storage(TorchStorage.class).torch;
    }

    /** A libtorch copy of host data. */
    static org.bytedeco.pytorch.Tensor fromHost(HostTensor host) {
        try (FloatPointer buffer = new FloatPointer(host.data())) {
            org.bytedeco.pytorch.Tensor view = torch.from_blob(buffer, host.shape().dims());
            org.bytedeco.pytorch.Tensor owned = view.clone();
            view.close();
            return owned;
        }
    }

    static HostTensor toHost(org.bytedeco.pytorch.Tensor t) {
        try (org.bytedeco.pytorch.Tensor c = t.detach().contiguous()) {
            long[] dims = new long[(int) c.dim()];
            for (int i = 0; i < dims.length; i++) {
                dims[i] = c.size(i);
            }
            float[] data = new float[Math.toIntExact(c.numel())];
            c.data_ptr_float().get(data);
            return new HostTensor(Shape.of(dims), data);
        }
    }
}
