package org.relprune.backend.cpu;

import java.util.function.Supplier;
import org.bytedeco.pytorch.Context;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * Whether libtorch may hand a convolution to oneDNN on this CPU. On some CPUs (seen: AMD EPYC
 * with AVX-512, libtorch 2.10) oneDNN's convolution and deconvolution return wrong values, even
 * NaN, when the channel count they block over is not a multiple of 16 (forward: input channels
 * above 16; deconvolution: any), while ATen's own kernels are right and multiples of 16 are
 * right in oneDNN; and its channels-last pointwise (1x1) convolutions get output channels past
 * a block of 32 wrong: strided ones (ResNet's downsampling) for many output channel counts (33-45,
 * 112, 208, 512, 1024, 2048 ...) whatever the input channels, stride-1 ones too after some other
 * convolutions ran in the process. So once per process a probe compares oneDNN with ATen on such shapes:
 * <ul>
 *   <li>{@link Mode#ALL}: the probe agrees; oneDNN for every convolution (full speed).</li>
 *   <li>{@link Mode#BLOCKS_OF_16}: it disagrees only off multiples of 16 or on strided 1x1
 *       convolutions; forward convolutions whose input channel count is not a multiple of 16 run
 *       on ATen (rare, small layers), so do 1x1 ones (ATen runs them as one matrix product), and
 *       every deconvolution does ({@link #deconvolution}).</li>
 *   <li>{@link Mode#NONE}: it disagrees on multiples of 16 too; ATen for every convolution.</li>
 * </ul>
 * Autograd's backward convolutions (training) cannot be routed per call, so training runs
 * without oneDNN unless the mode is {@link Mode#ALL}. System property {@code relprune.onednn}:
 * {@code auto} (default: probe), {@code on} (trust oneDNN), {@code blocks16} (as if the probe
 * had failed off multiples of 16) or {@code off}. The probe runs the images' memory order
 * (channels-last, {@link CpuLayout}), whose oneDNN kernels are the ones every convolution uses.
 */
public final class OneDnnGuard {
    /** Where oneDNN is used. */
    public enum Mode {
        ALL("oneDNN"),
        BLOCKS_OF_16("oneDNN for forward convolutions over multiples of 16 channels, 1x1 ones excepted, only"
                + " (it failed its self-check on this CPU)"),
        NONE("oneDNN off (it failed its self-check on this CPU)");

        private final String description;

        Mode(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    /** The channel block that oneDNN handles right on the CPUs where it fails elsewhere. */
    static final long BLOCK = 16;
    private static Mode mode;

    private OneDnnGuard() {
    }

    /** The mode for this process: probed (or read from {@code relprune.onednn}) on first use. */
    public static synchronized Mode mode() {
        if (mode == null) {
            // ATen's convolution tries NNPACK first and, on CPUs it does not support, prints a
            // warning on every call; its x86 kernels are no faster than ATen's own
            torch.globalContext().setUserEnabledNNPACK(false);
            String setting = System.getProperty("relprune.onednn", "auto");
            mode = switch (setting) {
                case "auto" -> probe();
                case "on" -> Mode.ALL;
                // what the probe decides on the CPUs where oneDNN fails off multiples of 16: to
                // exercise (and time) that routing on a CPU where oneDNN is right
                case "blocks16" -> Mode.BLOCKS_OF_16;
                case "off" -> Mode.NONE;
                default -> throw new IllegalArgumentException("-Drelprune.onednn=" + setting + ": expected auto, on, blocks16 or off");
            };
            if (mode == Mode.NONE) {
                torch.globalContext().setUserEnabledMkldnn(false);
            }
        }
        return mode;
    }

    /**
     * Runs a convolution whose oneDNN kernel blocks over {@code channels} (forward: input
     * channels; deconvolution: the deconvolution's input channels), on ATen when oneDNN is not
     * trusted for that count, or, {@code pointwise} (a 1x1 kernel), unless the probe passed.
     */
    static <T> T convolution(long channels, boolean pointwise, Supplier<T> op) {
        Mode m = mode();
        if (m == Mode.ALL || m == Mode.NONE || (channels % BLOCK == 0 && !pointwise)) {
            return op.get();
        }
        return withoutOneDnn(op);
    }

    /**
     * Runs a deconvolution (a convolution's adjoint): on ATen unless oneDNN passed its
     * self-check, whatever the channels, because where it fails it also crashes the process in
     * primitive creation for some strided 1x1 deconvolutions (ResNet-50's downsampling, seen
     * with multiples of 16 channels).
     */
    static <T> T deconvolution(Supplier<T> op) {
        return mode() == Mode.ALL ? op.get() : withoutOneDnn(op);
    }

    /** Runs {@code op} with oneDNN switched off (process-wide flag: one thread at a time, as the backends are). */
    static <T> T withoutOneDnn(Supplier<T> op) {
        Context context = torch.globalContext();
        boolean enabled = context.userEnabledMkldnn();
        if (!enabled) {
            return op.get();
        }
        context.setUserEnabledMkldnn(false);
        try {
            return op.get();
        } finally {
            context.setUserEnabledMkldnn(true);
        }
    }

    /** Compares oneDNN with ATen on shapes that fail where oneDNN is broken; a few milliseconds. */
    private static Mode probe() {
        if (!torch.globalContext().userEnabledMkldnn()) {
            return Mode.NONE;
        }
        boolean blocksAgree = agrees(32, 16) && agrees(16, 32);
        boolean othersAgree = agrees(24, 16) && agrees(16, 6) && agrees(3, 6) && pointwiseStridedAgrees(16, 37)
                && pointwiseStridedAgrees(32, 112);
        if (blocksAgree && othersAgree) {
            return Mode.ALL;
        }
        return blocksAgree ? Mode.BLOCKS_OF_16 : Mode.NONE;
    }

    /**
     * A 3x3 convolution cin -> cout on 2 x cin x 8 x 8 and its deconvolution, oneDNN against ATen
     * (relative max error 1e-4), in both memory orders: images are channels-last in the inference
     * backend but contiguous in training and in some gathers, and oneDNN's kernels differ by order
     * (on an AVX-512 EPYC, 2026-12-08, only the contiguous one was wrong, for cin > 16 off multiples of 16).
     */
    private static boolean agrees(long cin, long cout) {
        return agrees(cin, cout, torch.MemoryFormat.ChannelsLast) && agrees(cin, cout, torch.MemoryFormat.Contiguous);
    }

    private static boolean agrees(long cin, long cout, torch.MemoryFormat order) {
        try (org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope()) {
            // Java's generator, not libtorch's: the probe must not move a seeded training run's random stream
            org.bytedeco.pytorch.Tensor x = TorchTensors.fromHost(uniform(cin * 100 + cout, 2, cin, 8, 8)).contiguous(order);
            org.bytedeco.pytorch.Tensor w = TorchTensors.fromHost(uniform(cin * 1000 + cout, cout, cin, 3, 3)).contiguous(order);
            Supplier<org.bytedeco.pytorch.Tensor> forward = () -> torch.conv2d(x, w, new TensorOptional(), new long[] {1, 1},
                    new long[] {1, 1}, new long[] {1, 1}, 1);
            org.bytedeco.pytorch.Tensor y = forward.get();
            org.bytedeco.pytorch.Tensor yAten = withoutOneDnn(forward);
            Supplier<org.bytedeco.pytorch.Tensor> adjoint = () -> torch.conv_transpose2d(yAten, w, new TensorOptional(),
                    new long[] {1, 1}, new long[] {1, 1}, new long[] {0, 0}, 1, new long[] {1, 1});
            org.bytedeco.pytorch.Tensor g = adjoint.get();
            org.bytedeco.pytorch.Tensor gAten = withoutOneDnn(adjoint);
            return close(y, yAten) && close(g, gAten);
        }
    }

    /**
     * A 1x1 stride-2 convolution cin -> cout on 2 x cin x 4 x 4, oneDNN against ATen, in both
     * memory orders (on the AVX-512 EPYC of 2026-12-08 the channels-last one was wrong for cout
     * 37 and 112). Forward only: oneDNN's strided 1x1 deconvolution crashed the process there.
     */
    private static boolean pointwiseStridedAgrees(long cin, long cout) {
        for (torch.MemoryFormat order : new torch.MemoryFormat[] {torch.MemoryFormat.ChannelsLast, torch.MemoryFormat.Contiguous}) {
            try (org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope()) {
                org.bytedeco.pytorch.Tensor x = TorchTensors.fromHost(uniform(cin * 100 + cout + 7, 2, cin, 4, 4)).contiguous(order);
                org.bytedeco.pytorch.Tensor w = TorchTensors.fromHost(uniform(cin * 1000 + cout + 7, cout, cin, 1, 1)).contiguous(order);
                Supplier<org.bytedeco.pytorch.Tensor> forward = () -> torch.conv2d(x, w, new TensorOptional(), new long[] {2, 2},
                        new long[] {0, 0}, new long[] {1, 1}, 1);
                if (!close(forward.get(), withoutOneDnn(forward))) {
                    return false;
                }
            }
        }
        return true;
    }

    private static org.relprune.tensor.HostTensor uniform(long seed, long... dims) {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
        float[] v = new float[org.relprune.tensor.Shape.of(dims).numelInt()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rng.nextDouble(-1, 1);
        }
        return org.relprune.tensor.HostTensor.of(v, dims);
    }

    private static boolean close(org.bytedeco.pytorch.Tensor a, org.bytedeco.pytorch.Tensor ref) {
        double scale = ref.abs().max().item_float();
        double diff = a.sub(ref).abs().max().item_float();
        return diff <= 1e-4 * Math.max(scale, 1e-30); // NaN fails
    }
}
