package org.relprune.model.layers;

import java.util.List;
import org.relprune.backend.Backend;
import org.relprune.model.Weights;
import org.relprune.tensor.Shape;
import org.relprune.tensor.Tensor;

/** torch.nn.AdaptiveAvgPool2d((outH, outW)). */
public record AdaptiveAvgPool2d(int outH, int outW) implements Layer {
    @Override
    public String kind() {
        return "adaptiveavgpool2d";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Shape x = inputs.get(0);
        if (x.rank() != 3) {
            throw new IllegalArgumentException("expects [C, H, W], got " + x);
        }
        return Shape.of(x.dim(0), outH, outW);
    }

    @Override
    public Tensor forward(Backend backend, List<Tensor> inputs, Weights weights) {
        return backend.adaptiveAvgPool2d(inputs.get(0), outH, outW);
    }
}
