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

    /** The adjoint: g[n,c,i,j] = sum over outputs (i', j') reading (i, j) of s[n,k,i',j'] w[k,c,u,v], in float64. */
    private static double[] adjoint(HostTensor s, HostTensor w, int c) {
        int n = (int) s.shape().dim(0), k = (int) s.shape().dim(1), h = (int) s.shape().dim(2), wd = (int) s.shape().dim(3);
        double[] g = new double[n * c * h * wd];
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < k; o++) {
                for (int i = 0; i < h; i++) {
                    for (int j = 0; j < wd; j++) {
                        double sv = s.data()[((b * k + o) * h + i) * wd + j];
                        for (int ci = 0; ci < c; ci++) {
                            for (int u = 0; u < 3; u++) {
                                for (int v = 0; v < 3; v++) {
                                    int ii = i + u - 1, jj = j + v - 1;
                                    if (ii >= 0 && jj >= 0 && ii < h && jj < wd) {
                                        g[((b * c + ci) * h + ii) * wd + jj] += sv * w.data()[((o * c + ci) * 3 + u) * 3 + v];
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
                assertClose("conv adjoint " + what, g, adjoint(s, w, (int) ch[0]));
            }
        }
    }
}
