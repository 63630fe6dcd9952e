package org.relprune.model.layers;

import java.util.List;
import org.relprune.backend.Backend;
import org.relprune.model.Weights;
import org.relprune.tensor.Shape;
import org.relprune.tensor.Tensor;
import org.relprune.tensor.TensorScope;

/**
 * The parameter-free middle of multi-head self-attention, between the packed in-projection and
 * the out-projection: qkv [N, 3D] -> per-head softmax(Q K^T / sqrt(dh)) V, heads merged -> [N, D].
 * Kept as one node so attention LRP rules (CP-LRP, AttnLRP) and head masks have one place to act.
 */
public record AttentionCore(int dim, int heads) implements Layer {
    public AttentionCore {
        if (heads < 1 || dim % heads != 0) {
            throw new IllegalArgumentException("hidden size " + dim + " is not divisible by " + heads + " heads");
        }
    }

    @Override
    public String kind() {
        return "attention";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Shape x = inputs.get(0);
        if (x.rank() != 2 || x.dim(1) != 3L * dim) {
            throw new IllegalArgumentException("expects [N, " + 3 * dim + "], got " + x);
        }
        return Shape.of(x.dim(0), dim);
    }

    @Override
    public long macs(List<Shape> inputs) {
        long n = inputs.get(0).dim(0);
        return Math.multiplyExact(Math.multiplyExact(2 * n, n), (long) dim); // Q K^T and A V
    }

    @Override
    public Tensor forward(Backend backend, List<Tensor> inputs, Weights weights) {
        try (TensorScope scope = TensorScope.open()) {
            Tensor qkv = backend.splitHeads(inputs.get(0), heads); // [3, B, H, N, dh]
            Tensor q = backend.select(qkv, 0);
            Tensor k = backend.select(qkv, 1);
            Tensor v = backend.select(qkv, 2);
            float scale = (float) (1.0 / Math.sqrt(dim / heads));
            Tensor scores = backend.matmul(q, k, true, scale); // [B, H, N, N]
            Tensor attention = backend.softmax(scores);
            Tensor context = backend.matmul(attention, v, false, 1f); // [B, H, N, dh]
            return scope.keep(backend.mergeHeads(context)); // [B, N, D]
        }
    }
}
