package org.relprune.prune;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import java.util.function.ObjIntConsumer;
import org.relprune.backend.Backend;
import org.relprune.io.data.ImageDataset;
import org.relprune.model.ForwardPass;
import org.relprune.model.Model;
import org.relprune.model.Node;
import org.relprune.model.Predictions;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Shape;
import org.relprune.tensor.Tensor;
import org.relprune.tensor.TensorScope;

/**
 * Top-1 accuracy at every rate of a plan. By default each rate runs at its pruned network's own
 * width ({@link SlicedCurve}: the curve costs about the sum of the pruned networks' FLOPs, and
 * what no rate changes runs once per batch). The batched structured-mask evaluation is kept as
 * the reference: each pass holds a chunk of images once per rate (rates x images) and the
 * structured-mask kernel applies every rate's mask to its copy at each masked node.
 */
public final class CurveEvaluator {
    /**
     * Images per pass of the sliced evaluation are chosen so that no activation of a pass is
     * above this: large enough for full-speed convolutions, small enough that malloc keeps and
     * reuses the blocks between passes (glibc serves larger blocks of a thread's own arena with a
     * fresh mmap each time, and the page faults then cost more than the arithmetic).
     */
    public static final long ACTIVATION_BYTES = 48L << 20;
    /** Samples per pass when none is given. */
    static final int AUTOMATIC_BATCH = 1024;

    private CurveEvaluator() {
    }

    /** How the curve is evaluated. */
    public enum Evaluation {
        /** Each rate at its pruned width; a layer where slicing saves too little at full width with its pruned rows zero (the default). */
        SLICED(PrunedWidths.Policy.CHEAPEST),
        /** Each rate at its pruned width, every masked layer sliced. */
        SLICED_ALL(PrunedWidths.Policy.SLICE),
        /** Each rate on its own, every masked layer at full width with its pruned rows zero. */
        MASKED_PER_RATE(PrunedWidths.Policy.MASK),
        /** Every rate in one batched pass (rates x images), masks by the structured-mask kernel: the reference. */
        BATCHED_MASKS(null);

        private final PrunedWidths.Policy policy;

        Evaluation(PrunedWidths.Policy policy) {
            this.policy = policy;
        }
    }

    /** {@link #accuracy(Model, PruningPlan, ImageDataset, int[], int, IntConsumer, Evaluation)}, sliced. */
    public static double[] accuracy(Model model, PruningPlan plan, ImageDataset data, int[] classes, int maxBatch, IntConsumer progress) {
        return accuracy(model, plan, data, classes, maxBatch, progress, Evaluation.SLICED);
    }

    /**
     * @param classes  restrict the task to these classes (the other logits are ignored), or null for all
     * @param maxBatch samples per forward pass: images (sliced, one rate per pass) or images x
     *                 rates (batched); 0 for automatic: 1024, and for the sliced evaluation no more
     *                 images than keep every activation within {@link #ACTIVATION_BYTES}
     * @param progress receives the number of images done after each chunk
     */
    public static double[] accuracy(Model model, PruningPlan plan, ImageDataset data, int[] classes, int maxBatch, IntConsumer progress,
                                    Evaluation evaluation) {
        int rates = plan.rates().size();
        int n = data.size();
        if (n == 0) {
            throw new IllegalArgumentException("the evaluation set " + data.source() + " is empty");
        }
        if (maxBatch < 0) {
            throw new IllegalArgumentException("maxBatch must be >= 0 (0: automatic), got " + maxBatch);
        }
        long[] correct = new long[rates];
        Backend backend = model.backend();
        int chunk = evaluation == Evaluation.BATCHED_MASKS ? Math.max(1, (maxBatch == 0 ? AUTOMATIC_BATCH : maxBatch) / rates)
                : maxBatch == 0 ? imagesPerPass(model, AUTOMATIC_BATCH) : maxBatch;
        try (TensorScope curve = TensorScope.open(); RateLogits rateLogits = RateLogits.open(model, plan, evaluation)) {
            for (int from = 0; from < n; from += chunk) {
                int to = Math.min(n, from + chunk);
                int[] idx = new int[to - from];
                for (int i = 0; i < idx.length; i++) {
                    idx[i] = from + i;
                }
                try (TensorScope scope = TensorScope.open(); AutoCloseable work = backend.workScope()) {
                    rateLogits.run(data.batch(idx), (h, r) -> {
                        int k = (int) h.shape().dim(-1);
                        for (int i = 0; i < idx.length; i++) {
                            if (argmax(h.data(), i * k, k, classes) == data.label(idx[i])) {
                                correct[r]++;
                            }
                        }
                    });
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

    /** The logits of every rate for one batch of images [n, C, H, W]: one [n, classes] per rate. */
    public static List<HostTensor> logits(Model model, PruningPlan plan, HostTensor images, Evaluation evaluation) {
        List<HostTensor> out = new ArrayList<>();
        try (TensorScope scope = TensorScope.open(); RateLogits rateLogits = RateLogits.open(model, plan, evaluation)) {
            rateLogits.run(images, (h, r) -> out.add(h));
        }
        return out;
    }

    /** Every rate's logits [n, classes] for a batch of images, by one of the evaluations. */
    private interface RateLogits extends AutoCloseable {
        void run(HostTensor images, ObjIntConsumer<HostTensor> logits);

        @Override
        void close();

        static RateLogits open(Model model, PruningPlan plan, Evaluation evaluation) {
            Backend backend = model.backend();
            if (evaluation == Evaluation.BATCHED_MASKS) {
                BatchedMasks masks = new BatchedMasks(backend, plan);
                int rates = plan.rates().size();
                return new RateLogits() {
                    @Override
                    public void run(HostTensor images, ObjIntConsumer<HostTensor> logits) {
                        HostTensor h = backend.download(masks.logits(model, images));
                        int n = (int) images.shape().dim(0);
                        for (int r = 0; r < rates; r++) {
                            logits.accept(h.rows(r * n, (r + 1) * n), r);
                        }
                    }

                    @Override
                    public void close() {
                        masks.close();
                    }
                };
            }
            SlicedCurve sliced = new SlicedCurve(model, plan, evaluation.policy);
            return new RateLogits() {
                @Override
                public void run(HostTensor images, ObjIntConsumer<HostTensor> logits) {
                    sliced.run(backend.upload(images), (t, r) -> logits.accept(backend.download(t), r));
                }

                @Override
                public void close() {
                    sliced.close();
                }
            };
        }
    }

    /**
     * Images per sliced pass: at most maxBatch, and few enough that the largest activation of the
     * dense network stays within {@link #ACTIVATION_BYTES}.
     */
    static int imagesPerPass(Model model, int maxBatch) {
        long largest = 1;
        for (Node node : model.graph().nodes()) {
            largest = Math.max(largest, node.shape().numel() * Float.BYTES);
        }
        return (int) Math.max(1, Math.min(maxBatch, ACTIVATION_BYTES / largest));
    }

    /** The rates' masks stacked per masked node, [rates, features], for the batched evaluation. */
    private static final class BatchedMasks implements AutoCloseable {
        private final Map<String, Tensor> byNode = new HashMap<>();
        private final Map<String, PrunableLayer> layerOf = new HashMap<>();
        private final int rates;
        private final Backend backend;

        BatchedMasks(Backend backend, PruningPlan plan) {
            this.backend = backend;
            this.rates = plan.rates().size();
            List<PrunableLayer> layers = plan.layers();
            try (TensorScope scope = TensorScope.open()) {
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
                    byNode.put(layer.maskNode(), TensorScope.detach(backend.upload(HostTensor.of(m, rates, f))));
                    layerOf.put(layer.maskNode(), layer);
                }
            }
        }

        /** Logits [rates * n, classes] of the images repeated once per rate, each copy masked by its rate. */
        Tensor logits(Model model, HostTensor images) {
            Tensor x = backend.upload(repeat(images, rates));
            return ForwardPass.run(model.graph(), model, backend, x, (node, out) -> {
                Tensor m = byNode.get(node.name());
                return m == null ? out : mask(backend, out, m, layerOf.get(node.name()).featureAxis());
            });
        }

        @Override
        public void close() {
            byNode.values().forEach(Tensor::close);
        }
    }

    /**
     * Applies the rates' masks [rates, features] to x [rates * batch, ...]: on axis 1 directly; on
     * the last axis (tokens, dense layers) through a [rows, features] view, whose rows are still
     * grouped by rate because the rate is the outermost index.
     */
    static Tensor mask(Backend backend, Tensor x, Tensor m, int featureAxis) {
        if (featureAxis == 1 || x.shape().rank() == 2) {
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

    /** The predicted class among {@code classes} (all when null): {@link Predictions#top1}, NONE for a non-finite row. */
    static int argmax(float[] v, int offset, int k, int[] classes) {
        return Predictions.top1(v, offset, k, classes);
    }
}
