package org.relprune.backend.cpu;

import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.bytedeco.pytorch.global.torch;
import org.relprune.backend.Backend;
import org.relprune.backend.Conv2dSpec;
import org.relprune.backend.LrpOps;
import org.relprune.backend.Pool2dSpec;
import org.relprune.backend.jni.NativeKernels;
import org.relprune.backend.jni.NativeStatus;
import org.relprune.tensor.DType;
import org.relprune.tensor.Device;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Shape;
import org.relprune.tensor.Tensor;

/**
 * What the two CPU backends share: tensors held by libtorch, the dense operations, GELU and
 * softmax through libtorch ({@link TorchOps}), the LRP operations and the per-batch native scope.
 * {@link CpuBackend} runs the remaining steps through our native kernels, {@link AutogradBackend}
 * through libtorch so that autograd records them.
 */
abstract class LibtorchBackend implements Backend {
    /** Before anything here loads libtorch ({@link IdleThreads}, {@link LibtorchExtraction}). */
    protected final String idleThreads = IdleThreads.ensureQuiet();
    {
        LibtorchExtraction.ensureExtracted();
    }
    private final LrpOps lrp = new NativeLrpOps();
    /** The host malloc setting in effect (HostAllocator), for descriptions. */
    protected final String hostMalloc = HostAllocator.ensureConfigured();

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public Tensor upload(HostTensor host) {
        return TorchTensors.wrapImage(TorchTensors.fromHost(host));
    }

    @Override
    public HostTensor download(Tensor x) {
        return TorchTensors.toHost(TorchTensors.t(x));
    }

    @Override
    public Tensor convert(Tensor x, DType to) {
        DType from = x.dtype();
        if (from == to) {
            throw new IllegalArgumentException("convert: tensor " + x.shape() + " is already " + to);
        }
        org.bytedeco.pytorch.Tensor src = x.storage(TorchStorage.class, from).torch;
        ScalarType type = to == DType.BF16
                ? ScalarType.BFloat16 : ScalarType.Float;
        // the same memory order as x: the kernels convert element by element
        org.bytedeco.pytorch.Tensor out = CpuLayout.allocate(x.shape(), CpuLayout.channelsLast(x), type);
        try {
            // our kernels, not libtorch's .to(): the CPU twins are what the CUDA conversion is tested against
            if (to == DType.BF16) {
                NativeStatus.check(NativeKernels.rp_f32_to_bf16_cpu(src.data_ptr(), out.data_ptr(), x.numel()),
                        "rp_f32_to_bf16_cpu");
            } else {
                NativeStatus.check(NativeKernels.rp_bf16_to_f32_cpu(src.data_ptr(), out.data_ptr(), x.numel()),
                        "rp_bf16_to_f32_cpu");
            }
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
        return TorchTensors.wrap(out, to);
    }

    @Override
    public Tensor reshape(Tensor x, Shape shape) {
        return TorchOps.reshape(x, shape);
    }

    @Override
    public Tensor select(Tensor x, long index) {
        return TorchOps.select(x, index);
    }

    @Override
    public Tensor conv2d(Tensor x, Tensor w, Tensor bias, Conv2dSpec spec) {
        return TorchOps.conv2d(x, w, bias, spec);
    }

    @Override
    public Tensor linear(Tensor x, Tensor w, Tensor bias) {
        return TorchOps.linear(x, w, bias);
    }

    @Override
    public Tensor matmul(Tensor a, Tensor b, boolean transposeB, float alpha) {
        return TorchOps.matmul(a, b, transposeB, alpha);
    }

    /** Through libtorch; {@link CpuBackend} runs our native kernel instead. */
    @Override
    public Tensor reluInPlace(Tensor x) {
        TorchTensors.t(x).relu_();
        return x;
    }

    /** Through libtorch; {@link CpuBackend} runs our native kernel instead. */
    @Override
    public Tensor addInPlace(Tensor a, Tensor b) {
        org.relprune.backend.OpShapes.sameShape("addInPlace", a, b);
        TorchTensors.t(a).add_(TorchTensors.t(b));
        return a;
    }

    /** Through libtorch (differentiable); {@link CpuBackend} runs our native kernel instead. */
    @Override
    public Tensor gatherFeatures(Tensor x, int axis, int[] index) {
        org.relprune.tensor.Shape out = org.relprune.backend.OpShapes.gatherFeatures(x, axis, index);
        int a = axis < 0 ? x.shape().rank() + axis : axis;
        org.bytedeco.pytorch.Tensor picked;
        try (org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope()) {
            // a zero feature appended at the end stands for index -1
            long[] zeroDims = x.shape().dims();
            zeroDims[a] = 1;
            org.bytedeco.pytorch.Tensor padded = torch.cat(new org.bytedeco.pytorch.TensorVector(TorchTensors.t(x), torch.zeros(zeroDims)), a);
            long[] idx = new long[index.length];
            for (int j = 0; j < idx.length; j++) {
                idx[j] = index[j] < 0 ? x.shape().dim(a) : index[j];
            }
            picked = padded.index_select(a, torch.from_blob(new org.bytedeco.javacpp.LongPointer(idx), new long[] {idx.length},
                    new TensorOptions(ScalarType.Long)).clone());
            picked.retainReference();
            scope.detach(picked);
        }
        Tensor y = TorchTensors.wrapImage(picked); // outside the scope, which frees what is made in it
        if (!y.shape().equals(out)) {
            throw new IllegalStateException("gatherFeatures: " + y.shape() + " instead of " + out);
        }
        return y;
    }

    @Override
    public Tensor maxPool2d(Tensor x, Pool2dSpec spec) {
        return TorchOps.maxPool2d(x, spec);
    }

    @Override
    public Tensor avgPool2d(Tensor x, Pool2dSpec spec) {
        return TorchOps.avgPool2d(x, spec);
    }

    @Override
    public Tensor adaptiveAvgPool2d(Tensor x, int outH, int outW) {
        return TorchOps.adaptiveAvgPool2d(x, outH, outW);
    }

    @Override
    public Tensor gelu(Tensor x) {
        return TorchOps.gelu(x);
    }

    @Override
    public Tensor softmax(Tensor x) {
        return TorchOps.softmax(x);
    }

    @Override
    public AutoCloseable workScope() {
        return new org.bytedeco.javacpp.PointerScope();
    }

    @Override
    public LrpOps lrp() {
        return lrp;
    }

    @Override
    public void close() {
        // libtorch's CPU allocator needs no teardown.
    }
}
