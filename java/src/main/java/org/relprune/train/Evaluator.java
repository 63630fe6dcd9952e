package org.relprune.train;

import org.relprune.io.data.ImageDataset;
import org.relprune.model.Model;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.TensorScope;

/** Top-1/top-5 accuracy of a loaded model on a dataset, in batches. */
public final class Evaluator {
    private Evaluator() {
    }

    public static Accuracy evaluate(Model model, ImageDataset data, int batch) {
        int n = data.size();
        if (n == 0) {
            throw new IllegalArgumentException("cannot evaluate on an empty dataset");
        }
        int[] labels = data.labels();
        long top1 = 0;
        long top5 = 0;
        for (int start = 0; start < n; start += batch) {
            int b = Math.min(batch, n - start);
            int[] idx = new int[b];
            int[] y = new int[b];
            for (int i = 0; i < b; i++) {
                idx[i] = start + i;
                y[i] = labels[start + i];
            }
            try (AutoCloseable work = model.backend().workScope(); TensorScope scope = TensorScope.open()) {
                HostTensor logits = model.backend().download(model.forward(model.backend().upload(data.batch(idx))));
                int[] h = Accuracy.hits(logits.data(), (int) logits.shape().dim(1), y);
                top1 += h[0];
                top5 += h[1];
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return new Accuracy((double) top1 / n, (double) top5 / n, n);
    }
}
