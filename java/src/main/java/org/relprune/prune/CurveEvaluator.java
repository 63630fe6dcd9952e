package org.relprune.prune;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import org.relprune.backend.Backend;
import org.relprune.io.data.ImageDataset;
import org.relprune.model.ForwardPass;
import org.relprune.model.Model;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Shape;
import org.relprune.tensor.Tensor;
import org.relprune.tensor.TensorScope;

/**
 * Top-1 accuracy at every rate of a plan in batched passes: each pass holds a chunk of images
 * once per rate (rates x images), and the structured-mask kernel applies every rate's mask to
 * its copy at each masked node, so one forward pass evaluates the whole curve on the chunk.
 */
public final class CurveEvaluator {
    private CurveEvaluator() {
    }

    /**
     * @param classes  restrict the task to these classes (the other logits are ignored), or null for all
     * @param maxBatch images x rates per forward pass
     * @param progress receives the number of images done after each chunk
     */
    public static double[] accuracy(Model model, PruningPlan plan, ImageDataset data, int[] classes, int maxBatch, IntConsumer progress) {
        int rates = plan.rates().size();
        int chunk = Math.max(1, maxBatch / rates);
        Backend backend = model.backend();
        long[] correct = new long[rates];
        int n = data.size();
        if (n == 0) {
            throw new IllegalArgumentException("the evaluation set " + data.source() + " is empty");
        }
        try (TensorScope masks = TensorScope.open()) {
            Map<String, Tensor> byNode = new HashMap<>();
            Map<String, PrunableLayer> layerOf = new HashMap<>();
            List<PrunableLayer> layers = plan.layers();
            for (int l = 0; l < layers.size(); l++) {
                PrunableLayer layer = layers.get(l);
                int f = layer.features();
                float[] m = new float[rates * f];
                for (int k = 0; k < rates; k++) {
                    float[] mk = plan.mask(k, l);
                    for (int c = 0; c < layer.count(); c++) {
                        java.util.Arrays.fill(m, k * f + c * layer.span(), k * f + (c + 1) * layer.span(), mk[c]);
                    }
                }
                byNode.put(layer.maskNode(), backend.upload(HostTensor.of(m, rates, f)));
                layerOf.put(layer.maskNode(), layer);
            }
            for (int from = 0; from < n; from += chunk) {
                int to = Math.min(n, from + chunk);
                int[] idx = new int[to - from];
                for (int i = 0; i < idx.length; i++) {
                    idx[i] = from + i;
                }
                HostTensor images = data.batch(idx);
                try (TensorScope scope = TensorScope.open(); AutoCloseable work = backend.workScope()) {
                    Tensor x = backend.upload(repeat(images, rates));
                    Tensor logits = ForwardPass.run(model.graph(), model, backend, x, (node, out) -> {
                        Tensor m = byNode.get(node.name());
                        return m == null ? out : mask(backend, out, m, layerOf.get(node.name()));
                    });
                    HostTensor h = backend.download(logits);
                    int k = (int) h.shape().dim(-1);
                    for (int r = 0; r < rates; r++) {
                        for (int i = 0; i < idx.length; i++) {
                            int row = r * idx.length + i;
                            if (argmax(h.data(), row * k, k, classes) == data.label(idx[i])) {
                                correct[r]++;
                            }
                        }
                    }
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                if (progress != null) {
                    progress.accept(to - from);
                }
            }
        }
        double[] acc = new double[rates];
        for (int r = 0; r < rates; r++) {
            acc[r] = correct[r] / (double) n;
        }
        return acc;
    }

    /**
     * Applies the rates' masks [rates, features] to x [rates * batch, ...]: on axis 1 directly; on
     * the last axis (tokens, dense layers) through a [rows, features] view, whose rows are still
     * grouped by rate because the rate is the outermost index.
     */
    static Tensor mask(Backend backend, Tensor x, Tensor m, PrunableLayer layer) {
        if (layer.featureAxis() == 1 || x.shape().rank() == 2) {
            return backend.channelMask(x, m);
        }
        Shape s = x.shape();
        long f = s.dim(-1);
        try (TensorScope scope = TensorScope.open()) {
            Tensor rows = backend.reshape(x, Shape.of(s.numel() / f, f));
            return scope.keep(backend.reshape(backend.channelMask(rows, m), s));
        }
    }

    /** The batch repeated {@code times} times along the first axis. */
    static HostTensor repeat(HostTensor x, int times) {
        float[] v = new float[x.data().length * times];
        for (int t = 0; t < times; t++) {
            System.arraycopy(x.data(), 0, v, t * x.data().length, x.data().length);
        }
        long[] dims = x.shape().dims();
        dims[0] *= times;
        return new HostTensor(Shape.of(dims), v);
    }

    /** Index of the largest logit among {@code classes} (all when null); the first on ties. */
    static int argmax(float[] v, int offset, int k, int[] classes) {
        int best = -1;
        float bestValue = Float.NEGATIVE_INFINITY;
        if (classes == null) {
            for (int c = 0; c < k; c++) {
                if (best < 0 || v[offset + c] > bestValue) {
                    best = c;
                    bestValue = v[offset + c];
                }
            }
        } else {
            for (int c : classes) {
                if (best < 0 || v[offset + c] > bestValue) {
                    best = c;
                    bestValue = v[offset + c];
                }
            }
        }
        return best;
    }
}
