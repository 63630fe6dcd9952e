package org.relprune.model.layers;

import java.util.List;
import org.relprune.backend.Backend;
import org.relprune.backend.Pool2dSpec;
import org.relprune.model.Weights;
import org.relprune.tensor.Shape;
import org.relprune.tensor.Tensor;

/** torch.nn.MaxPool2d (floor mode, no dilation). */
public record MaxPool2d(Pool2dSpec spec) implements Layer {
    @Override
    public String kind() {
        return "maxpool2d";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        return Pooling.outputShape(inputs.get(0), spec);
    }

    @Override
    public Tensor forward(Backend backend, List<Tensor> inputs, Weights weights) {
        return backend.maxPool2d(inputs.get(0), spec);
    }
}
