package org.relprune.run;

import java.util.function.IntConsumer;
import org.relprune.model.Model;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Shape;
import org.relprune.tensor.Tensor;
import org.relprune.tensor.TensorScope;

/** Batched inference of host inputs through a loaded model, its progress reported to the run's monitor. */
final class Inference {
    private Inference() {
    }

    static HostTensor logits(Model model, HostTensor x, int batch, String task, RunMonitor monitor) {
        long[] dims = x.shape().dims();
        if (dims.length < 1) {
            throw new IllegalArgumentException("input must have a batch axis, got shape " + x.shape());
        }
        long n = dims[0];
        float[] out = null;
        int classes = -1;
        IntConsumer progress = monitor.phase(task, (int) Math.min(n, Integer.MAX_VALUE));
        for (long start = 0; start < n; start += batch) {
            int b = (int) Math.min(batch, n - start);
            try (TensorScope scope = TensorScope.open()) {
                Tensor in = model.backend().upload(x.rows((int) start, (int) start + b));
                HostTensor y = model.backend().download(model.forward(in));
                if (out == null) {
                    classes = (int) y.shape().dim(1);
                    out = new float[Math.toIntExact(n * classes)];
                }
                System.arraycopy(y.data(), 0, out, (int) (start * classes), b * classes);
            }
            progress.accept(b);
        }
        if (out == null) {
            throw new IllegalArgumentException("input has no samples (shape " + x.shape() + ")");
        }
        return new HostTensor(Shape.of(n, classes), out);
    }
}
