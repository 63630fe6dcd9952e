package org.relprune.backend.cuda;

import static org.relprune.backend.cuda.Cuda.check;
import static org.relprune.backend.cuda.Cuda.checkCublas;
import static org.relprune.backend.cuda.Cuda.checkCudnn;

import java.util.Locale;
import java.util.function.Consumer;
import org.bytedeco.cuda.cublas.cublasContext;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.cudart.cudaDeviceProp;
import org.bytedeco.cuda.cudnn.cudnnContext;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.cuda.global.cudnn;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.SizeTPointer;
import org.relprune.backend.Backend;
import org.relprune.backend.BackendUnavailableException;
import org.relprune.backend.Conv2dSpec;
import org.relprune.backend.OpShapes;
import org.relprune.backend.Pool2dSpec;
import org.relprune.backend.jni.NativeCudaKernels;
import org.relprune.backend.jni.NativeKernelException;
import org.relprune.backend.jni.NativeKernels;
import org.relprune.backend.jni.NativeStatus;
import org.relprune.tensor.DType;
import org.relprune.tensor.Device;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Shape;
import org.relprune.tensor.Tensor;

/**
 * The CUDA backend: cuDNN for convolutions, cuBLAS for linear layers and matrix products, our
 * kernels ({@code native/src/cuda}, through {@link NativeCudaKernels}) for everything else. It
 * needs no libtorch. All work runs on one CUDA stream in issue order; {@link #download} waits for
 * it (and reports asynchronous kernel errors). Device memory comes from a caching
 * {@link DeviceAllocator}; reshape and select are views that share their tensor's memory.
 *
 * <p>TF32 is off by default: cuBLAS in its default (full fp32) math mode, cuDNN restricted to FMA
 * kernels, so results match the CPU backend to fp32 rounding. {@link #open(CudaPrecision)} allows
 * TF32 tensor cores for convolutions, matrix products or both (faster, about 1e-3 relative error).
 *
 * <p>One thread at a time; tensors must be closed before {@link #close()}, and any use of a tensor
 * after it fails loudly.
 */
public final class CudaBackend implements Backend {
    private static final long F32 = 4;

    private final CudaPrecision precision;
    private final String deviceName;
    private final int ccMajor;
    private final int ccMinor;
    private final long cudnnVersion;
    private final CUstream_st stream;
    private final cublasContext cublasHandle;
    private final cudnnContext cudnnHandle;
    private final DeviceAllocator allocator;
    private final CudnnConvolutions convolutions;
    private final FloatPointer one = new FloatPointer(1f);
    private final FloatPointer zero = new FloatPointer(0f);
    private boolean closed;

    private static volatile String firstLoadFailure;

    /** Opens the CUDA backend on the current device with TF32 off ({@link CudaPrecision#FP32}). */
    public static CudaBackend open() {
        return open(CudaPrecision.FP32);
    }

    /**
     * Opens the CUDA backend on the current device (device 0 unless the process chose another).
     *
     * @param precision where cuDNN and cuBLAS may use TF32 tensor cores for fp32 work
     * @throws BackendUnavailableException "CUDA backend unavailable: reason" when the CUDA libraries
     *         do not load, there is no device, or the device cannot be set up
     */
    public static CudaBackend open(CudaPrecision precision) {
        java.util.Objects.requireNonNull(precision, "precision");
        String stage = "cannot load the CUDA runtime (cudart)";
        try {
            org.relprune.backend.jni.NativeCache.configure(); // before JavaCPP picks its cache (NativeCache)
            Loader.load(cudart.class);
            stage = "cannot query CUDA devices";
            int[] count = {0};
            int err = cudart.cudaGetDeviceCount(count);
            if (err != cudart.cudaSuccess) {
                String text = Cuda.errorText(err);
                cudart.cudaGetLastError();
                throw unavailable("no usable CUDA device (cudaGetDeviceCount: " + text + ")", null);
            }
            if (count[0] <= 0) {
                throw unavailable("no CUDA device", null);
            }
            stage = "cannot load cuBLAS";
            Loader.load(cublas.class);
            stage = "cannot load cuDNN";
            Loader.load(cudnn.class);
            stage = "cannot load the relprune native kernels";
            NativeKernels.load();
            NativeCudaKernels.load();
            if (NativeCudaKernels.rp_has_cuda_kernels() == 0) {
                throw unavailable("the relprune native library was built without its CUDA kernels (no nvcc at build time)", null);
            }
            stage = "cannot set up the device";
            return new CudaBackend(precision);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
            // a class whose native library failed to load fails later with "Could not initialize
            // class": report the first, telling reason again
            String reason = e instanceof NoClassDefFoundError && firstLoadFailure != null ? firstLoadFailure : stage + ": " + brief(e);
            if (firstLoadFailure == null) {
                firstLoadFailure = reason;
            }
            throw unavailable(reason, e);
        } catch (CudaException | org.relprune.backend.DeviceOutOfMemoryException | NativeKernelException e) {
            throw unavailable(stage + ": " + e.getMessage(), e);
        }
    }

    private static BackendUnavailableException unavailable(String reason, Throwable cause) {
        return new BackendUnavailableException("CUDA backend unavailable: " + reason, cause);
    }

    /**
     * The telling part of a load failure: JavaCPP wraps the dynamic linker's message ("libjnicudart.so:
     * libcuda.so.1: cannot open shared object file") in "no jnicudart in java.library.path: ...".
     */
    static String brief(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage() == null ? "" : t.getMessage().strip();
        int nl = m.indexOf('\n');
        if (nl >= 0) {
            m = m.substring(0, nl);
        }
        int lp = m.indexOf("java.library.path");
        if (lp >= 0) {
            m = m.substring(0, lp + "java.library.path".length());
        }
        if (m.startsWith("/")) {
            int colon = m.indexOf(": ");
            if (colon > 0) {
                m = m.substring(colon + 2); // drop the path of the JNI library that failed
            }
        }
        m = t.getClass().getSimpleName() + (m.isEmpty() ? "" : ": " + m);
        if (m.contains("libcuda.so")) {
            m += " (no NVIDIA driver on this machine)";
        }
        return m.length() > 300 ? m.substring(0, 300) + "..." : m;
    }

    private CudaBackend(CudaPrecision precision) {
        this.precision = precision;
        int[] dev = {0};
        check(cudart.cudaGetDevice(dev), "cudaGetDevice");
        try (cudaDeviceProp prop = new cudaDeviceProp()) {
            check(cudart.cudaGetDeviceProperties(prop, dev[0]), "cudaGetDeviceProperties");
            deviceName = prop.name().getString().strip();
            ccMajor = prop.major();
            ccMinor = prop.minor();
        }
        cudnnVersion = cudnn.cudnnGetVersion();

        CUstream_st s = new CUstream_st();
        cublasContext b = new cublasContext();
        cudnnContext d = new cudnnContext();
        boolean haveStream = false;
        boolean haveCublas = false;
        boolean haveCudnn = false;
        try {
            // a blocking stream: it also orders itself after legacy default-stream work
            check(cudart.cudaStreamCreate(s), "cudaStreamCreate");
            haveStream = true;
            checkCublas(cublas.cublasCreate_v2(b), "cublasCreate");
            haveCublas = true;
            checkCublas(cublas.cublasSetStream_v2(b, s), "cublasSetStream");
            checkCublas(cublas.cublasSetPointerMode_v2(b, cublas.CUBLAS_POINTER_MODE_HOST), "cublasSetPointerMode");
            // CUBLAS_DEFAULT_MATH keeps fp32 GEMMs in fp32 (TF32 needs CUBLAS_TF32_TENSOR_OP_MATH)
            checkCublas(cublas.cublasSetMathMode(b, precision.tf32MatrixProducts() ? cublas.CUBLAS_TF32_TENSOR_OP_MATH : cublas.CUBLAS_DEFAULT_MATH),
                    "cublasSetMathMode");
            checkCudnn(cudnn.cudnnCreate(d), "cudnnCreate");
            haveCudnn = true;
            checkCudnn(cudnn.cudnnSetStream(d, s), "cudnnSetStream");
        } catch (RuntimeException e) {
            if (haveCudnn) {
                cudnn.cudnnDestroy(d);
            }
            if (haveCublas) {
                cublas.cublasDestroy_v2(b);
            }
            if (haveStream) {
                cudart.cudaStreamDestroy(s);
            }
            one.close();
            zero.close();
            throw e;
        }
        stream = s;
        cublasHandle = b;
        cudnnHandle = d;
        allocator = new DeviceAllocator(new CudaMemory());
        convolutions = new CudnnConvolutions(cudnnHandle, precision.tf32Convolutions());
    }

    /** cudaMalloc / cudaFree under the caching allocator. */
    private final class CudaMemory implements DeviceAllocator.RawDeviceMemory {
        @Override
        public long allocate(long bytes) {
            Pointer p = new Pointer();
            int err = cudart.cudaMalloc(p, bytes);
            if (err == cudart.cudaErrorMemoryAllocation) {
                cudart.cudaGetLastError(); // clear it, or the next kernel launch check would report it
                return 0;
            }
            check(err, "cudaMalloc(" + bytes + " bytes)");
            if (p.address() == 0) {
                throw new CudaException("cudaMalloc(" + bytes + " bytes) returned a null pointer");
            }
            return p.address();
        }

        @Override
        public void free(long address) {
            check(cudart.cudaFree(new Cuda.DevicePointer(address)), "cudaFree");
        }

        @Override
        public void synchronize() {
            syncStream();
        }

        @Override
        public String describe() {
            try (SizeTPointer free = new SizeTPointer(1); SizeTPointer total = new SizeTPointer(1)) {
                if (cudart.cudaMemGetInfo(free, total) != cudart.cudaSuccess) {
                    cudart.cudaGetLastError();
                    return "";
                }
                return "the device has " + DeviceAllocator.mib(free.get()) + " free of " + DeviceAllocator.mib(total.get());
            }
        }
    }

    // ---- information ---------------------------------------------------------------------

    @Override
    public Device device() {
        return Device.CUDA;
    }

    @Override
    public String description() {
        return String.format(Locale.ROOT, "cuda (%s, cc %d.%d, cuDNN %d, %s)", deviceName, ccMajor, ccMinor, cudnnVersion,
                precision.describe());
    }

    public CudaPrecision precision() {
        return precision;
    }

    /**
     * Caps the device memory this backend reserves at {@code bytes} (to share the device with
     * other jobs); past it allocations fail with {@link CudaOutOfMemoryException} as on a full
     * device. {@code Long.MAX_VALUE} removes the cap.
     */
    public void setMemoryLimit(long bytes) {
        checkOpen();
        allocator.setLimit(bytes);
    }

    /** Bytes of device memory held by open tensors (rounded to the allocator's size classes). */
    public long memoryInUse() {
        return allocator.inUseBytes();
    }

    /** Highest {@link #memoryInUse()} since open or {@link #resetPeakMemory()}. */
    public long peakMemoryInUse() {
        return allocator.peakInUseBytes();
    }

    /** Bytes obtained with cudaMalloc and not yet freed (in use plus cached for reuse). */
    public long memoryReserved() {
        return allocator.reservedBytes();
    }

    public void resetPeakMemory() {
        allocator.resetPeak();
    }

    /** Gives the cached, unused blocks back to the device. */
    public void emptyCache() {
        checkOpen();
        allocator.freeCached();
    }

    /** Number of convolution plans (shape, spec, chosen algorithm) made so far. */
    public int convolutionPlans() {
        return convolutions.size();
    }

    /** Waits for all queued work; reports asynchronous kernel errors. */
    public void synchronize() {
        checkOpen();
        syncStream();
    }

    private void syncStream() {
        NativeStatus.check(NativeCudaKernels.rp_cuda_synchronize(stream), "rp_cuda_synchronize");
    }

    // ---- memory --------------------------------------------------------------------------

    void checkOpen() {
        if (closed) {
            throw new IllegalStateException("CUDA backend is closed");
        }
    }

    private CudaStorage storage(Tensor t) {
        return ours(t, t.storage(CudaStorage.class));
    }

    private CudaStorage ours(Tensor t, CudaStorage s) {
        if (s.allocator() != allocator) {
            throw new IllegalArgumentException("tensor " + t.shape() + " belongs to another CUDA backend");
        }
        return s;
    }

    /** The device pointer to a tensor's first element (its view offset included). The one way to get one. */
    FloatPointer ptr(Tensor t) {
        return new Cuda.DevicePointer(storage(t).address());
    }

    FloatPointer ptrOrNull(Tensor t) {
        return t == null ? null : ptr(t);
    }

    Tensor empty(Shape shape) {
        return empty(shape, DType.F32);
    }

    private Tensor empty(Shape shape, DType dtype) {
        DeviceAllocator.Block b = allocator.allocate(Math.multiplyExact(shape.numel(), (long) dtype.bytes()));
        return new Tensor(shape, dtype, Device.CUDA, new CudaStorage(b, 0));
    }

    @Override
    public Tensor convert(Tensor x, DType to) {
        checkOpen();
        DType from = x.dtype();
        if (from == to) {
            throw new IllegalArgumentException("convert: tensor " + x.shape() + " is already " + to);
        }
        Pointer src = new Cuda.DevicePointer(ours(x, x.storage(CudaStorage.class, from)).address());
        Tensor y = empty(x.shape(), to);
        try {
            if (x.numel() > 0) {
                Pointer dst = new Cuda.DevicePointer(y.storage(CudaStorage.class, to).address());
                String kernel = to == DType.BF16 ? "rp_f32_to_bf16_cuda" : "rp_bf16_to_f32_cuda";
                int status = to == DType.BF16 ? NativeCudaKernels.rp_f32_to_bf16_cuda(src, dst, x.numel(), stream)
                        : NativeCudaKernels.rp_bf16_to_f32_cuda(src, dst, x.numel(), stream);
                NativeStatus.check(status, kernel);
            }
        } catch (RuntimeException | Error e) {
            y.close();
            throw e;
        }
        return y;
    }

    /** A fresh output tensor filled by {@code body}; closed again if {@code body} fails. */
    Tensor produce(Shape shape, Consumer<Tensor> body) {
        checkOpen();
        Tensor y = empty(shape);
        try {
            if (shape.numel() > 0) {
                body.accept(y);
            }
        } catch (RuntimeException | Error e) {
            y.close();
            throw e;
        }
        return y;
    }

    void zeroFill(Tensor y) {
        check(cudart.cudaMemsetAsync(ptr(y), 0, y.numel() * F32, stream), "cudaMemsetAsync");
    }

    @Override
    public Tensor upload(HostTensor host) {
        return produce(host.shape(), y -> {
            try (FloatPointer h = new FloatPointer(host.data())) {
                check(cudart.cudaMemcpyAsync(ptr(y), h, y.numel() * F32, cudart.cudaMemcpyHostToDevice, stream),
                        "cudaMemcpyAsync(host to device)");
                syncStream(); // the host buffer is freed right after
            }
        });
    }

    @Override
    public HostTensor download(Tensor x) {
        checkOpen();
        FloatPointer src = ptr(x);
        float[] data = new float[x.shape().numelInt()];
        syncStream(); // surfaces asynchronous errors of the work that made x
        if (data.length > 0) {
            try (FloatPointer h = new FloatPointer(data.length)) {
                check(cudart.cudaMemcpyAsync(h, src, data.length * F32, cudart.cudaMemcpyDeviceToHost, stream),
                        "cudaMemcpyAsync(device to host)");
                syncStream();
                h.get(data);
            }
        }
        return new HostTensor(x.shape(), data);
    }

    @Override
    public Tensor reshape(Tensor x, Shape shape) {
        checkOpen();
        OpShapes.reshape(x, shape);
        return new Tensor(shape, DType.F32, Device.CUDA, storage(x).view(0));
    }

    @Override
    public Tensor select(Tensor x, long index) {
        checkOpen();
        Shape out = OpShapes.select(x, index);
        return new Tensor(out, DType.F32, Device.CUDA, storage(x).view(index * x.shape().numelFrom(1) * F32));
    }

    // ---- dense operations: cuDNN and cuBLAS ----------------------------------------------

    @Override
    public Tensor conv2d(Tensor x, Tensor w, Tensor bias, Conv2dSpec s) {
        checkOpen();
        Shape out = OpShapes.conv2d(x, w, bias, s);
        return produce(out, y -> {
            if (x.numel() == 0 || w.numel() == 0) {
                zeroFill(y); // an empty sum
            } else {
                CudnnConvolutions.Plan plan = convolutions.plan(x.shape(), w.shape(), s, out);
                DeviceAllocator.Block ws = plan.workspaceBytes > 0 ? allocator.allocate(plan.workspaceBytes) : null;
                try {
                    checkCudnn(cudnn.cudnnConvolutionForward(cudnnHandle, one, plan.x, ptr(x), plan.w, ptr(w), plan.conv, plan.algo,
                            ws == null ? null : new Cuda.DevicePointer(ws.address()), plan.workspaceBytes, zero, plan.y, ptr(y)),
                            "cudnnConvolutionForward(input " + x.shape() + ", weight " + w.shape() + ", " + plan + ")");
                } finally {
                    if (ws != null) {
                        ws.release(); // reuse is ordered after this convolution on the stream
                    }
                }
            }
            if (bias != null) {
                NativeStatus.check(NativeCudaKernels.rp_channel_affine_cuda(ptr(y), ptr(y), null, ptr(bias),
                        out.dim(0), out.dim(1), out.numelFrom(2), 0, stream), "rp_channel_affine_cuda");
            }
        });
    }

    @Override
    public Tensor linear(Tensor x, Tensor w, Tensor bias) {
        checkOpen();
        Shape out = OpShapes.linear(x, w, bias);
        long in = w.shape().dim(1);
        long outFeatures = w.shape().dim(0);
        long rows = leading(x.shape(), 1);
        return produce(out, y -> {
            if (in == 0) {
                zeroFill(y);
            } else {
                // row-major y[rows,out] = x[rows,in] w[out,in]^T, i.e. column-major y^T = w * x^T
                checkCublas(cublas.cublasSgemm_v2(cublasHandle, cublas.CUBLAS_OP_T, cublas.CUBLAS_OP_N,
                        gemmDim(outFeatures), gemmDim(rows), gemmDim(in), one, ptr(w), gemmDim(in), ptr(x), gemmDim(in),
                        zero, ptr(y), gemmDim(outFeatures)), "cublasSgemm(linear " + x.shape() + " x " + w.shape() + "^T)");
            }
            if (bias != null) {
                NativeStatus.check(NativeCudaKernels.rp_channel_affine_cuda(ptr(y), ptr(y), null, ptr(bias),
                        rows, outFeatures, 1, 0, stream), "rp_channel_affine_cuda");
            }
        });
    }

    @Override
    public Tensor matmul(Tensor a, Tensor b, boolean transposeB, float alpha) {
        checkOpen();
        Shape out = OpShapes.matmul(a, b, transposeB);
        long m = a.shape().dim(-2);
        long k = a.shape().dim(-1);
        long n = out.dim(-1);
        long batch = leading(out, 2);
        return produce(out, y -> {
            if (k == 0) {
                zeroFill(y);
                return;
            }
            // row-major c[m,n] = a[m,k] b[k,n] is column-major c^T[n,m] = b^T[n,k] a^T[k,m]; the
            // row-major buffers of b and a are those column-major b^T and a^T (b^T's transpose when
            // b is given as [n,k])
            FloatPointer alphaPointer = alpha == 1f ? one : new FloatPointer(alpha);
            try {
                checkCublas(cublas.cublasSgemmStridedBatched(cublasHandle, transposeB ? cublas.CUBLAS_OP_T : cublas.CUBLAS_OP_N,
                        cublas.CUBLAS_OP_N, gemmDim(n), gemmDim(m), gemmDim(k), alphaPointer,
                        ptr(b), gemmDim(transposeB ? k : n), k * n,
                        ptr(a), gemmDim(k), m * k,
                        zero, ptr(y), gemmDim(n), m * n, gemmDim(batch)),
                        "cublasSgemmStridedBatched(matmul " + a.shape() + " x " + b.shape() + (transposeB ? "^T" : "") + ")");
            } finally {
                if (alphaPointer != one) {
                    alphaPointer.close(); // cuBLAS reads host scalars before it returns
                }
            }
        });
    }

    /** Product of all but the last {@code trailing} dimensions. */
    private static long leading(Shape s, int trailing) {
        long p = 1;
        for (int i = 0; i < s.rank() - trailing; i++) {
            p *= s.dim(i);
        }
        return p;
    }

    private static int gemmDim(long v) {
        if (v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("matrix dimension " + v + " is too large for cuBLAS (int)");
        }
        return (int) v;
    }

    @Override
    public Tensor maxPool2d(Tensor x, Pool2dSpec s) {
        checkOpen();
        Shape out = OpShapes.pool2d("maxPool2d", x, s);
        Shape in = x.shape();
        return produce(out, y -> NativeStatus.check(NativeCudaKernels.rp_max_pool2d_cuda(ptr(x), ptr(y), in.dim(0), in.dim(1),
                in.dim(2), in.dim(3), s.kernelH(), s.kernelW(), s.strideH(), s.strideW(), s.padH(), s.padW(), out.dim(2), out.dim(3),
                stream), "rp_max_pool2d_cuda"));
    }

    @Override
    public Tensor avgPool2d(Tensor x, Pool2dSpec s) {
        checkOpen();
        Shape out = OpShapes.pool2d("avgPool2d", x, s);
        Shape in = x.shape();
        return produce(out, y -> NativeStatus.check(NativeCudaKernels.rp_avg_pool2d_cuda(ptr(x), ptr(y), in.dim(0), in.dim(1),
                in.dim(2), in.dim(3), s.kernelH(), s.kernelW(), s.strideH(), s.strideW(), s.padH(), s.padW(), out.dim(2), out.dim(3),
                stream), "rp_avg_pool2d_cuda"));
    }

    @Override
    public Tensor adaptiveAvgPool2d(Tensor x, int outH, int outW) {
        checkOpen();
        Shape out = OpShapes.adaptivePool2d(x, outH, outW);
        Shape in = x.shape();
        return produce(out, y -> NativeStatus.check(NativeCudaKernels.rp_adaptive_avg_pool2d_cuda(ptr(x), ptr(y), in.dim(0),
                in.dim(1), in.dim(2), in.dim(3), outH, outW, stream), "rp_adaptive_avg_pool2d_cuda"));
    }

    // ---- our kernels ---------------------------------------------------------------------

    @Override
    public Tensor channelMask(Tensor x, Tensor mask) {
        checkOpen();
        long groups = OpShapes.channelMask(x, mask);
        Shape s = x.shape();
        return produce(s, y -> NativeStatus.check(NativeCudaKernels.rp_channel_mask_cuda(ptr(x), ptr(y), ptr(mask), groups,
                s.dim(0) / groups, s.dim(1), s.numelFrom(2), stream), "rp_channel_mask_cuda"));
    }

    @Override
    public Tensor reluInPlace(Tensor x) {
        checkOpen();
        if (x.numel() > 0) {
            NativeStatus.check(NativeCudaKernels.rp_relu_cuda(ptr(x), ptr(x), x.numel(), stream), "rp_relu_cuda");
        }
        return x;
    }

    @Override
    public Tensor addInPlace(Tensor a, Tensor b) {
        checkOpen();
        OpShapes.sameShape("addInPlace", a, b);
        if (a.numel() > 0) {
            NativeStatus.check(NativeCudaKernels.rp_add_cuda(ptr(a), ptr(b), ptr(a), a.numel(), stream), "rp_add_cuda");
        }
        return a;
    }

    @Override
    public Tensor gatherFeatures(Tensor x, int axis, int[] index) {
        checkOpen();
        Shape out = OpShapes.gatherFeatures(x, axis, index); // checks every index: the kernel cannot read them
        org.relprune.backend.FeatureLayout f = org.relprune.backend.FeatureLayout.of(x.shape(), axis);
        return produce(out, y -> {
            DeviceAllocator.Block idx = allocator.allocate((long) index.length * Long.BYTES);
            try (org.bytedeco.javacpp.LongPointer h = new org.bytedeco.javacpp.LongPointer(index.length)) {
                for (int j = 0; j < index.length; j++) {
                    h.put(j, index[j]);
                }
                Pointer d = new Cuda.DevicePointer(idx.address());
                check(cudart.cudaMemcpyAsync(d, h, (long) index.length * Long.BYTES, cudart.cudaMemcpyHostToDevice, stream),
                        "cudaMemcpyAsync(host to device)");
                syncStream(); // the host buffer is freed right after
                NativeStatus.check(NativeCudaKernels.rp_gather_features_cuda(ptr(x), ptr(y), d, f.outer(), f.c(), index.length, f.inner(), stream),
                        "rp_gather_features_cuda");
            } finally {
                idx.release(); // reuse is ordered after the kernel on the stream
            }
        });
    }

    @Override
    public Tensor channelAffine(Tensor x, Tensor scale, Tensor shift, boolean relu) {
        checkOpen();
        OpShapes.channelAffine(x, scale, shift);
        Shape s = x.shape();
        return produce(s, y -> NativeStatus.check(NativeCudaKernels.rp_channel_affine_cuda(ptr(x), ptr(y), ptrOrNull(scale),
                ptrOrNull(shift), s.dim(0), s.dim(1), s.numelFrom(2), relu ? 1 : 0, stream), "rp_channel_affine_cuda"));
    }

    @Override
    public Tensor relu(Tensor x) {
        checkOpen();
        return produce(x.shape(), y -> NativeStatus.check(NativeCudaKernels.rp_relu_cuda(ptr(x), ptr(y), x.numel(), stream),
                "rp_relu_cuda"));
    }

    @Override
    public Tensor gelu(Tensor x) {
        checkOpen();
        return produce(x.shape(), y -> NativeStatus.check(NativeCudaKernels.rp_gelu_cuda(ptr(x), ptr(y), x.numel(), stream),
                "rp_gelu_cuda"));
    }

    @Override
    public Tensor add(Tensor a, Tensor b) {
        checkOpen();
        OpShapes.sameShape("add", a, b);
        return produce(a.shape(), y -> NativeStatus.check(NativeCudaKernels.rp_add_cuda(ptr(a), ptr(b), ptr(y), a.numel(), stream),
                "rp_add_cuda"));
    }

    @Override
    public Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
        checkOpen();
        OpShapes.layerNorm(x, gamma, beta);
        long cols = x.shape().dim(-1);
        return produce(x.shape(), y -> NativeStatus.check(NativeCudaKernels.rp_layernorm_cuda(ptr(x), ptr(y), ptr(gamma), ptr(beta),
                x.numel() / cols, cols, eps, stream), "rp_layernorm_cuda"));
    }

    @Override
    public Tensor softmax(Tensor x) {
        checkOpen();
        long cols = x.shape().dim(-1);
        return produce(x.shape(), y -> NativeStatus.check(NativeCudaKernels.rp_softmax_cuda(ptr(x), ptr(y), x.numel() / cols, cols,
                stream), "rp_softmax_cuda"));
    }

    @Override
    public Tensor vitEmbed(Tensor patches, Tensor classToken, Tensor posEmbedding) {
        checkOpen();
        Shape out = OpShapes.vitEmbed(patches, classToken, posEmbedding);
        return produce(out, y -> NativeStatus.check(NativeCudaKernels.rp_vit_embed_cuda(ptr(patches), ptr(classToken),
                ptr(posEmbedding), ptr(y), out.dim(0), out.dim(2), out.dim(1) - 1, stream), "rp_vit_embed_cuda"));
    }

    @Override
    public Tensor splitHeads(Tensor qkv, int heads) {
        checkOpen();
        Shape out = OpShapes.splitHeads(qkv, heads);
        return produce(out, y -> NativeStatus.check(NativeCudaKernels.rp_split_heads_cuda(ptr(qkv), ptr(y), out.dim(1), out.dim(3),
                heads, out.dim(4), stream), "rp_split_heads_cuda"));
    }

    @Override
    public Tensor mergeHeads(Tensor x) {
        checkOpen();
        Shape out = OpShapes.mergeHeads(x);
        Shape s = x.shape();
        return produce(out, y -> NativeStatus.check(NativeCudaKernels.rp_merge_heads_cuda(ptr(x), ptr(y), s.dim(0), s.dim(1),
                s.dim(2), s.dim(3), stream), "rp_merge_heads_cuda"));
    }

    @Override
    public Tensor selectToken(Tensor x, int index) {
        checkOpen();
        Shape out = OpShapes.selectToken(x, index);
        Shape s = x.shape();
        return produce(out, y -> NativeStatus.check(NativeCudaKernels.rp_select_token_cuda(ptr(x), ptr(y), s.dim(0), s.dim(1),
                s.dim(2), index, stream), "rp_select_token_cuda"));
    }

    // ---- teardown ------------------------------------------------------------------------

    /**
     * Waits for queued work, destroys the cuDNN/cuBLAS handles and the stream and frees all device
     * memory (tensors still open lose theirs: using them fails loudly, closing them is harmless).
     * Idempotent. Throws the first failure after everything was released.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException first = null;
        try {
            syncStream();
        } catch (RuntimeException e) {
            first = e;
        }
        try {
            convolutions.close();
        } catch (RuntimeException e) {
            first = first == null ? e : first;
        }
        try {
            checkCudnn(cudnn.cudnnDestroy(cudnnHandle), "cudnnDestroy");
        } catch (RuntimeException e) {
            first = first == null ? e : first;
        }
        try {
            checkCublas(cublas.cublasDestroy_v2(cublasHandle), "cublasDestroy");
        } catch (RuntimeException e) {
            first = first == null ? e : first;
        }
        try {
            allocator.freeAll();
        } catch (RuntimeException e) {
            first = first == null ? e : first;
        }
        try {
            check(cudart.cudaStreamDestroy(stream), "cudaStreamDestroy");
        } catch (RuntimeException e) {
            first = first == null ? e : first;
        }
        one.close();
        zero.close();
        if (first != null) {
            throw first;
        }
    }

    private CudaLrpOps lrpOps;

    /** LRP on the GPU: our fused CUDA kernels, cuDNN backward-data and cuBLAS for the adjoints. */
    @Override
    public org.relprune.backend.LrpOps lrp() {
        checkOpen();
        if (lrpOps == null) {
            lrpOps = new CudaLrpOps(this);
        }
        return lrpOps;
    }

    // ---- for CudaLrpOps ----------------------------------------------------------------------

    CUstream_st stream() {
        return stream;
    }

    cublasContext cublas() {
        return cublasHandle;
    }

    cudnnContext cudnn() {
        return cudnnHandle;
    }

    CudnnConvolutions convolutions() {
        return convolutions;
    }

    DeviceAllocator allocator() {
        return allocator;
    }

    FloatPointer onePointer() {
        return one;
    }

    FloatPointer zeroPointer() {
        return zero;
    }

}
