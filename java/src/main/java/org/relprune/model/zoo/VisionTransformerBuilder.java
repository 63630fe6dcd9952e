package org.relprune.model.zoo;

import com.google.gson.JsonObject;
import java.util.Set;
import org.relprune.backend.Conv2dSpec;
import org.relprune.model.Graph;
import org.relprune.model.GraphBuilder;
import org.relprune.model.NodeRole;
import org.relprune.model.layers.Add;
import org.relprune.model.layers.AttentionCore;
import org.relprune.model.layers.Conv2d;
import org.relprune.model.layers.GELU;
import org.relprune.model.layers.LayerNorm;
import org.relprune.model.layers.Linear;
import org.relprune.model.layers.SelectToken;
import org.relprune.model.layers.VitEmbedding;
import org.relprune.tensor.Shape;

/**
 * torchvision.models.VisionTransformer (no representation layer): conv_proj patch embedding,
 * class token and position embedding, pre-norm encoder layers (ln_1, self_attention, residual,
 * ln_2, mlp.0 / GELU / mlp.3, residual), encoder.ln, the class token, heads.head. The attention
 * is three nodes: self_attention.in_proj (packed Q/K/V, in_proj_weight/in_proj_bias),
 * self_attention.attention (softmax(QK^T/sqrt(dh))V) and self_attention.out_proj.
 * Every node of encoder layer i has block index i; the projections, mlp.0 / mlp.3 and heads.head
 * carry their {@link NodeRole}s.
 */
final class VisionTransformerBuilder {
    static final String FAMILY = "torchvision.VisionTransformer";
    /** Encoder layer i's nodes are named {@code BLOCK_PREFIX + i + ".<part>"}. */
    private static final String BLOCK_PREFIX = "encoder.layers.encoder_layer_";

    private VisionTransformerBuilder() {
    }

    static Graph build(String name, JsonObject json) {
        ConfigFields f = new ConfigFields(json, FAMILY,
                Set.of("image_size", "patch_size", "num_layers", "num_heads", "hidden_dim", "mlp_dim", "num_classes"));
        int image = f.integer("image_size", null);
        int patch = f.integer("patch_size", null);
        int layers = f.integer("num_layers", null, ConfigFields.MAX_DEPTH);
        int heads = f.integer("num_heads", null);
        int dim = f.integer("hidden_dim", null);
        int mlp = f.integer("mlp_dim", null);
        int classes = f.integer("num_classes", 1000);
        Shape input = f.input(Shape.of(3, image, image));
        if (input.dim(1) != image || input.dim(2) != image) {
            throw new ArchitectureException("architecture config: input " + input + " must be " + image + "x" + image + " (image_size)");
        }
        if (image % patch != 0) {
            throw new ArchitectureException("architecture config: image_size " + image + " is not divisible by patch_size " + patch);
        }
        if (dim % heads != 0) {
            throw new ArchitectureException("architecture config: hidden_dim " + dim + " is not divisible by num_heads " + heads);
        }
        int grid = image / patch;
        int tokens = grid * grid + 1;

        GraphBuilder g = new GraphBuilder(name, input);
        int x = g.add("conv_proj", new Conv2d((int) input.dim(0), dim, patch, patch, new Conv2dSpec(patch, patch, 0, 0, 1, 1, 1),
                "conv_proj.weight", "conv_proj.bias"), g.input());
        x = g.add("encoder.embedding", new VitEmbedding(dim, tokens, "class_token", "encoder.pos_embedding"), x);
        for (int i = 0; i < layers; i++) {
            String p = BLOCK_PREFIX + i;
            String a = p + ".self_attention";
            int h = g.add(p + ".ln_1", NodeRole.OTHER, i, new LayerNorm(dim, LayerNorm.VIT_EPS, p + ".ln_1"), x);
            h = g.add(a + ".in_proj", NodeRole.ATTENTION_IN_PROJECTION, i, new Linear(dim, 3 * dim, a + ".in_proj_weight", a + ".in_proj_bias"), h);
            h = g.add(a + ".attention", NodeRole.OTHER, i, new AttentionCore(dim, heads), h);
            h = g.add(a + ".out_proj", NodeRole.ATTENTION_OUT_PROJECTION, i, Linear.of(a + ".out_proj", dim, dim), h);
            x = g.add(p + ".add_1", NodeRole.OTHER, i, new Add(), x, h);
            int m = g.add(p + ".ln_2", NodeRole.OTHER, i, new LayerNorm(dim, LayerNorm.VIT_EPS, p + ".ln_2"), x);
            m = g.add(p + ".mlp.0", NodeRole.MLP_HIDDEN, i, Linear.of(p + ".mlp.0", dim, mlp), m);
            m = g.add(p + ".mlp.1", NodeRole.OTHER, i, new GELU(), m);
            m = g.add(p + ".mlp.3", NodeRole.MLP_OUTPUT, i, Linear.of(p + ".mlp.3", mlp, dim), m);
            x = g.add(p + ".add_2", NodeRole.OTHER, i, new Add(), x, m);
        }
        x = g.add("encoder.ln", new LayerNorm(dim, LayerNorm.VIT_EPS, "encoder.ln"), x);
        x = g.add("class_token_output", new SelectToken(0), x);
        g.add("heads.head", NodeRole.CLASSIFIER, Linear.of("heads.head", dim, classes), x);
        return g.build();
    }
}
