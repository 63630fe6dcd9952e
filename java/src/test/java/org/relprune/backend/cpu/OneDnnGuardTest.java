package org.relprune.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.relprune.backend.Conv2dSpec;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Shape;
import org.relprune.tensor.TensorScope;

/**
 * Convolutions and their adjoints on channel counts where oneDNN fails on some CPUs (not a
 * multiple of 16), against float64 loops: whatever {@link OneDnnGuard} decided on this machine,
 * the CPU backend's results are right.
 */
class OneDnnGuardTest {
    private static HostTensor random(long seed, long... dims) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] v = new float[Shape.of(dims).numelInt()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rng.nextDouble(-1, 1);
        }
        return HostTensor.of(v, dims);
    }

    /** y[n,k,i,j] = sum x[n,c,i+u-1,j+v-1] w[k,c,u,v]: 3x3, padding 1, stride 1, in float64. */
    private static double[] conv(HostTensor x, HostTensor w) {
        int n = (int) x.shape().dim(0), c = (int) x.shape().dim(1), h = (int) x.shape().dim(2), wd = (int) x.shape().dim(3);
        int k = (int) w.shape().dim(0);
        double[] y = new double[n * k * h * wd];
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < k; o++) {
                for (int i = 0; i < h; i++) {
                    for (int j = 0; j < wd; j++) {
                        double s = 0;
                        for (int ci = 0; ci < c; ci++) {
                            for (int u = 0; u < 3; u++) {
                                for (int v = 0; v < 3; v++) {
                                    int ii = i + u - 1, jj = j + v - 1;
                                    if (ii >= 0 && jj >= 0 && ii < h && jj < wd) {
                                        s += (double) x.data()[((b * c + ci) * h + ii) * wd + jj] * w.data()[((o * c + ci) * 3 + u) * 3 + v];
                                    }
                                }
                            }
                        }
                        y[((b * k + o) * h + i) * wd + j] = s;
                    }
                }
            }
        }
        return y;
    }

    /**
     * The adjoint of a convolution with any square kernel, stride and padding, in float64:
     * g[n,c,y,x] = sum of s[n,k,i,j] w[k,c,u,v] over the outputs (i, j) whose window reads (y, x).
     */
    private static double[] adjoint(HostTensor s, HostTensor w, int c, int h, int wd, int stride, int pad) {
        int n = (int) s.shape().dim(0), k = (int) s.shape().dim(1), oh = (int) s.shape().dim(2), ow = (int) s.shape().dim(3);
        int kk = (int) w.shape().dim(2);
        double[] g = new double[n * c * h * wd];
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < k; o++) {
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        double sv = s.data()[((b * k + o) * oh + i) * ow + j];
                        for (int ci = 0; ci < c; ci++) {
                            for (int u = 0; u < kk; u++) {
                                for (int v = 0; v < kk; v++) {
                                    int y = i * stride - pad + u, x = j * stride - pad + v;
                                    if (y >= 0 && x >= 0 && y < h && x < wd) {
                                        g[((b * c + ci) * h + y) * wd + x] += sv * w.data()[((o * c + ci) * kk + u) * kk + v];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return g;
    }

    /**
     * The adjoint as a forward convolution (what the CPU backend runs where oneDNN's
     * deconvolution failed its self-check), whatever this CPU's mode: stride 1 with several
     * kernels and paddings, and the pointwise strided form with input sizes the outputs do not
     * cover to the edge; against float64.
     */
    @Test
    void adjointAsForwardConvolutionEqualsFloat64() {
        // {cout, cin, kernel, stride, pad, h, w}: cout (the adjoint's input channels) a multiple of 16
        int[][] cases = {{16, 3, 3, 1, 1, 9, 7}, {32, 17, 3, 1, 0, 8, 8}, {16, 24, 5, 1, 2, 7, 9}, {48, 6, 1, 1, 0, 5, 6},
                {32, 16, 1, 2, 0, 9, 7}, {16, 5, 1, 2, 0, 8, 8}, {64, 24, 3, 1, 2, 6, 6}};
        try (CpuBackend cpu = new CpuBackend(); TensorScope scope = TensorScope.open()) {
            for (int[] c : cases) {
                int cout = c[0], cin = c[1], k = c[2], stride = c[3], pad = c[4], h = c[5], wd = c[6];
                Conv2dSpec spec = Conv2dSpec.of(stride, pad);
                long oh = Conv2dSpec.outSize(h, k, stride, pad, 1), ow = Conv2dSpec.outSize(wd, k, stride, pad, 1);
                HostTensor s = random(cout * 7L + cin, 2, cout, oh, ow);
                HostTensor w = random(cout * 11L + k, cout, cin, k, k);
                assertTrue(ConvAdjoints.asForwardApplies(cpu.upload(w), spec), java.util.Arrays.toString(c));
                Shape input = Shape.of(2, cin, h, wd);
                float[] g = cpu.download(TorchTensors.wrap(ConvAdjoints.asForwardConvolution(cpu.upload(s), cpu.upload(w), spec, input))).data();
                assertClose("adjoint as forward convolution " + java.util.Arrays.toString(c), g, adjoint(s, w, cin, h, wd, stride, pad));
            }
        }
    }

    private static void assertClose(String what, float[] got, double[] ref) {
        double scale = 0;
        for (double r : ref) {
            scale = Math.max(scale, Math.abs(r));
        }
        for (int i = 0; i < ref.length; i++) {
            double d = Math.abs(got[i] - ref[i]);
            assertTrue(d <= 1e-5 * scale, what + ": element " + i + " " + got[i] + " vs " + ref[i] + " (" + OneDnnGuard.mode() + ")");
        }
    }

    /** y = conv(x, w) with a square kernel, stride and zero padding, in float64. */
    private static double[] conv(HostTensor x, HostTensor w, int stride, int pad) {
        int n = (int) x.shape().dim(0), c = (int) x.shape().dim(1), h = (int) x.shape().dim(2), wd = (int) x.shape().dim(3);
        int k = (int) w.shape().dim(0), kk = (int) w.shape().dim(2);
        int oh = (int) Conv2dSpec.outSize(h, kk, stride, pad, 1), ow = (int) Conv2dSpec.outSize(wd, kk, stride, pad, 1);
        double[] y = new double[n * k * oh * ow];
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < k; o++) {
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        double s = 0;
                        for (int ci = 0; ci < c; ci++) {
                            for (int u = 0; u < kk; u++) {
                                for (int v = 0; v < kk; v++) {
                                    int ii = i * stride - pad + u, jj = j * stride - pad + v;
                                    if (ii >= 0 && jj >= 0 && ii < h && jj < wd) {
                                        s += (double) x.data()[((b * c + ci) * h + ii) * wd + jj] * w.data()[((o * c + ci) * kk + u) * kk + v];
                                    }
                                }
                            }
                        }
                        y[((b * k + o) * oh + i) * ow + j] = s;
                    }
                }
            }
        }
        return y;
    }

    /**
     * Pointwise (1x1) strided convolutions, ResNet's downsampling, over multiples of 16 input
     * channels: oneDNN's channels-last kernel for them is wrong on an AVX-512 EPYC (2026-12-08)
     * for many output channel counts (33-45, 112, 208, 512, 1024, 2048 ...; any input channels,
     * batch 2 and up), which the pruned widths of the sliced curve hit.
     */
    @Test
    void pointwiseStridedConvolutionsAreRight() {
        // {cin, cout, stride, h}
        int[][] cases = {{16, 37, 2, 4}, {128, 208, 2, 2}, {128, 195, 2, 2}, {64, 512, 2, 8}, {32, 40, 3, 7}, {16, 112, 2, 5}};
        try (CpuBackend cpu = new CpuBackend(); TensorScope scope = TensorScope.open()) {
            for (int[] c : cases) {
                HostTensor x = random(c[0] * 3L + c[1], 2, c[0], c[3], c[3]);
                HostTensor w = random(c[0] * 5L + c[1], c[1], c[0], 1, 1);
                float[] y = cpu.download(cpu.conv2d(cpu.upload(x), cpu.upload(w), null, Conv2dSpec.of(c[2], 0))).data();
                assertClose("1x1 conv2d stride " + c[2] + ", " + c[0] + " -> " + c[1] + " channels", y, conv(x, w, c[2], 0));
            }
        }
    }

    @Test
    void convolutionsOffMultiplesOf16AreRight() {
        long[][] channels = {{24, 16}, {17, 6}, {3, 6}, {16, 5}, {32, 16}, {6, 24}};
        try (CpuBackend cpu = new CpuBackend(); TensorScope scope = TensorScope.open()) {
            for (long[] ch : channels) {
                HostTensor x = random(ch[0], 2, ch[0], 7, 9);
                HostTensor w = random(ch[1], ch[1], ch[0], 3, 3);
                String what = ch[0] + " -> " + ch[1] + " channels";
                float[] y = cpu.download(cpu.conv2d(cpu.upload(x), cpu.upload(w), null, Conv2dSpec.of(1, 1))).data();
                assertClose("conv2d " + what, y, conv(x, w));
                HostTensor s = random(ch[0] + ch[1], 2, ch[1], 7, 9);
                float[] g = cpu.download(cpu.lrp().convAdjoint(cpu.upload(s), cpu.upload(w), Conv2dSpec.of(1, 1), x.shape())).data();
                assertClose("conv adjoint " + what, g, adjoint(s, w, (int) ch[0], 7, 9, 1, 1));
            }
        }
    }
}
