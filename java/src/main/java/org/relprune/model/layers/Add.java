package org.relprune.model.layers;

import java.util.List;
import org.relprune.backend.Backend;
import org.relprune.model.Weights;
import org.relprune.tensor.Shape;
import org.relprune.tensor.Tensor;

/** Sum of two same-shaped inputs: the explicit residual add of ResNet blocks and ViT encoder layers. */
public record Add() implements Layer {
    @Override
    public String kind() {
        return "add";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        if (inputs.size() != 2 || !inputs.get(0).equals(inputs.get(1))) {
            throw new IllegalArgumentException("adds two equal shapes, got " + inputs);
        }
        return inputs.get(0);
    }

    @Override
    public Tensor forward(Backend backend, List<Tensor> inputs, Weights weights) {
        return backend.add(inputs.get(0), inputs.get(1));
    }
}
