package org.relprune.lrp;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.relprune.model.Model;
import org.relprune.tensor.Tensor;
import org.relprune.tensor.TensorScope;

/**
 * The rule-modified weights of one model (W+, the stacked [W_p; W_n] of the gamma rule, a z-box
 * layer's response to its bounds, ...), built once per rule and layer and kept for later
 * explanations: a search trial explains every reference chunk with one composite, and each
 * explanation used to rebuild them (several passes over all weights per chunk). Kept with the
 * model ({@link Model#derived}) within a byte budget: at the start of each explanation the least
 * recently used are dropped down to it, so what one explanation uses stays until it is done.
 */
final class RuleWeights implements AutoCloseable {
    private final long budgetBytes;
    private final Map<String, Tensor> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;

    RuleWeights(long budgetBytes) {
        this.budgetBytes = budgetBytes;
    }

    /** The model's cache: room for four times its weights (a gamma rule stacks two modified copies), at least 64 MiB. */
    static RuleWeights of(Model model) {
        return model.derived(RuleWeights.class, RuleWeights.class, () -> {
            long weights = 0;
            for (String name : model.graph().params().keySet()) {
                weights += model.graph().params().get(name).shape().numel() * Float.BYTES;
            }
            return new RuleWeights(Math.max(4 * weights, 64L << 20));
        });
    }

    /** The tensor under {@code key}, built (outside the caller's scope) on first use. */
    Tensor get(String key, Supplier<Tensor> build) {
        Tensor t = entries.get(key);
        if (t == null) {
            try (TensorScope scope = TensorScope.open()) {
                t = TensorScope.detach(build.get());
            }
            entries.put(key, t);
            bytes += t.numel() * t.dtype().bytes();
        }
        return t;
    }

    /** Drops the least recently used entries until the cache fits its budget. */
    void trim() {
        Iterator<Map.Entry<String, Tensor>> it = entries.entrySet().iterator();
        while (bytes > budgetBytes && it.hasNext()) {
            Tensor t = it.next().getValue();
            bytes -= t.numel() * t.dtype().bytes();
            t.close();
            it.remove();
        }
    }

    @Override
    public void close() {
        entries.values().forEach(Tensor::close);
        entries.clear();
        bytes = 0;
    }
}
