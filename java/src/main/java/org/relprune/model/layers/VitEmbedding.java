package org.relprune.model.layers;

import java.util.List;
import org.relprune.backend.Backend;
import org.relprune.model.ParamSpec;
import org.relprune.model.Weights;
import org.relprune.tensor.Shape;
import org.relprune.tensor.Tensor;

/**
 * torchvision VisionTransformer's token assembly: patch grid [D, gh, gw] to tokens [1 + gh*gw, D],
 * class token first, then the position embedding added (dropout is the identity at inference).
 */
public record VitEmbedding(int dim, int tokens, String classToken, String posEmbedding) implements Layer {
    @Override
    public String kind() {
        return "vit_embedding";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(ParamSpec.parameter(classToken, 1, 1, dim), ParamSpec.parameter(posEmbedding, 1, tokens, dim));
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Shape x = inputs.get(0);
        if (x.rank() != 3 || x.dim(0) != dim || x.dim(1) * x.dim(2) + 1 != tokens) {
            throw new IllegalArgumentException("expects a [" + dim + ", gh, gw] patch grid with gh*gw = " + (tokens - 1) + ", got " + x);
        }
        return Shape.of(tokens, dim);
    }

    @Override
    public Tensor forward(Backend backend, List<Tensor> inputs, Weights w) {
        return backend.vitEmbed(inputs.get(0), w.get(classToken), w.get(posEmbedding));
    }
}
