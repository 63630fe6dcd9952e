package org.relprune.it;

import java.util.HashMap;
import java.util.Map;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Shape;

/**
 * Independent reference networks composed directly from libtorch ops, written from torchvision's
 * model definitions and the documented LeNet layouts, reading weights by torchvision name. They
 * share no code with relprune's model builders or backends, so a match is evidence, not an echo.
 */
final class TorchReference {
    private final Map<String, HostTensor> weights;
    private final Map<String, Tensor> cache = new HashMap<>();

    private TorchReference(Map<String, HostTensor> weights) {
        this.weights = weights;
    }

    /** Runs {@code net} on {@code input} and returns its logits as a host tensor. */
    static HostTensor run(Map<String, HostTensor> weights, HostTensor input, Net net) {
        try (PointerScope scope = new PointerScope()) {
            TorchReference r = new TorchReference(weights);
            Tensor y = net.apply(r, r.tensor(input)).contiguous();
            float[] out = new float[(int) y.numel()];
            y.data_ptr_float().get(out);
            long[] dims = new long[(int) y.dim()];
            for (int i = 0; i < dims.length; i++) {
                dims[i] = y.size(i);
            }
            return new HostTensor(Shape.of(dims), out);
        }
    }

    interface Net {
        Tensor apply(TorchReference r, Tensor x);
    }

    Tensor tensor(HostTensor h) {
        FloatPointer p = new FloatPointer(h.data());
        return torch.from_blob(p, h.shape().dims()).clone();
    }

    Tensor w(String name) {
        return cache.computeIfAbsent(name, n -> {
            HostTensor h = weights.get(n);
            if (h == null) {
                throw new IllegalArgumentException("reference net needs weight " + n);
            }
            return tensor(h);
        });
    }

    TensorOptional opt(String name) {
        return weights.containsKey(name) ? new TensorOptional(w(name)) : new TensorOptional();
    }

    Tensor conv(Tensor x, String m, int stride, int pad) {
        return torch.conv2d(x, w(m + ".weight"), opt(m + ".bias"), new long[] {stride, stride}, new long[] {pad, pad}, new long[] {1, 1}, 1);
    }

    Tensor bn(Tensor x, String m) {
        return torch.batch_norm(x, opt(m + ".weight"), opt(m + ".bias"), opt(m + ".running_mean"), opt(m + ".running_var"),
                false, 0.1, 1e-5, false);
    }

    Tensor linear(Tensor x, String m) {
        return torch.linear(x, w(m + ".weight"), opt(m + ".bias"));
    }

    static Tensor maxpool(Tensor x, int k, int s, int p) {
        return torch.max_pool2d(x, new long[] {k, k}, new long[] {s, s}, new long[] {p, p}, new long[] {1, 1}, false);
    }

    // ---- torchvision.models.resnet --------------------------------------------------------

    static Net resnet(boolean bottleneck, int[] layers, boolean cifar) {
        return (r, x) -> {
            Tensor y = cifar ? r.conv(x, "conv1", 1, 1) : r.conv(x, "conv1", 2, 3);
            y = torch.relu(r.bn(y, "bn1"));
            if (!cifar) {
                y = maxpool(y, 3, 2, 1);
            }
            for (int s = 0; s < layers.length; s++) {
                for (int b = 0; b < layers[s]; b++) {
                    String p = "layer" + (s + 1) + "." + b;
                    int stride = (b == 0 && s > 0) ? 2 : 1;
                    Tensor out;
                    if (bottleneck) {
                        out = torch.relu(r.bn(r.conv(y, p + ".conv1", 1, 0), p + ".bn1"));
                        out = torch.relu(r.bn(r.conv(out, p + ".conv2", stride, 1), p + ".bn2"));
                        out = r.bn(r.conv(out, p + ".conv3", 1, 0), p + ".bn3");
                    } else {
                        out = torch.relu(r.bn(r.conv(y, p + ".conv1", stride, 1), p + ".bn1"));
                        out = r.bn(r.conv(out, p + ".conv2", 1, 1), p + ".bn2");
                    }
                    Tensor identity = r.weights.containsKey(p + ".downsample.0.weight")
                            ? r.bn(r.conv(y, p + ".downsample.0", stride, 0), p + ".downsample.1") : y;
                    y = torch.relu(out.add(identity));
                }
            }
            y = torch.flatten(torch.adaptive_avg_pool2d(y, 1, 1), 1, -1);
            return r.linear(y, "fc");
        };
    }

    // ---- torchvision.models.vgg -----------------------------------------------------------

    static Net vgg(int[] cfg, boolean batchNorm) {
        return (r, x) -> {
            Tensor y = x;
            int i = 0;
            for (int v : cfg) {
                if (v < 0) {
                    y = maxpool(y, 2, 2, 0);
                    i++;
                } else {
                    y = r.conv(y, "features." + i, 1, 1);
                    i++;
                    if (batchNorm) {
                        y = r.bn(y, "features." + i);
                        i++;
                    }
                    y = torch.relu(y);
                    i++;
                }
            }
            y = torch.flatten(torch.adaptive_avg_pool2d(y, 7, 7), 1, -1);
            y = torch.relu(r.linear(y, "classifier.0"));
            y = torch.relu(r.linear(y, "classifier.3"));
            return r.linear(y, "classifier.6");
        };
    }

    // ---- torchvision.models.vision_transformer ------------------------------------------

    static Net vit(int patch, int layers, int heads, int dim) {
        return (r, x) -> {
            long n = x.size(0);
            Tensor y = r.conv(x, "conv_proj", patch, 0); // [n, d, g, g]
            y = y.reshape(n, dim, -1).permute(0, 2, 1); // [n, g*g, d]
            Tensor cls = r.w("class_token").expand(n, -1, -1);
            TensorVector parts = new TensorVector(cls, y);
            y = torch.cat(parts, 1).add(r.w("encoder.pos_embedding"));
            long dh = dim / heads;
            for (int i = 0; i < layers; i++) {
                String p = "encoder.layers.encoder_layer_" + i;
                Tensor h = layerNorm(r, y, p + ".ln_1", dim);
                Tensor qkv = torch.linear(h, r.w(p + ".self_attention.in_proj_weight"), r.opt(p + ".self_attention.in_proj_bias"));
                TensorVector c = qkv.chunk(3, -1);
                long tokens = y.size(1);
                Tensor q = c.get(0).reshape(n, tokens, heads, dh).transpose(1, 2);
                Tensor k = c.get(1).reshape(n, tokens, heads, dh).transpose(1, 2);
                Tensor v = c.get(2).reshape(n, tokens, heads, dh).transpose(1, 2);
                Tensor a = torch.scaled_dot_product_attention(q, k, v); // [n, h, t, dh]
                a = a.transpose(1, 2).reshape(n, tokens, dim);
                a = r.linear(a, p + ".self_attention.out_proj");
                y = y.add(a);
                Tensor m = layerNorm(r, y, p + ".ln_2", dim);
                m = r.linear(torch.gelu(r.linear(m, p + ".mlp.0")), p + ".mlp.3");
                y = y.add(m);
            }
            y = layerNorm(r, y, "encoder.ln", dim);
            return r.linear(y.select(1, 0), "heads.head");
        };
    }

    private static Tensor layerNorm(TorchReference r, Tensor x, String m, int dim) {
        return torch.layer_norm(x, new long[] {dim}, r.opt(m + ".weight"), r.opt(m + ".bias"), 1e-6, false);
    }

    // ---- LeNet (documented layouts in docs/models.md) -------------------------------------

    static Net lenet5() {
        return (r, x) -> {
            Tensor y = maxpool(torch.relu(r.conv(x, "conv1", 1, 2)), 2, 2, 0);
            y = maxpool(torch.relu(r.conv(y, "conv2", 1, 0)), 2, 2, 0);
            y = torch.flatten(y, 1, -1);
            y = torch.relu(r.linear(y, "fc1"));
            y = torch.relu(r.linear(y, "fc2"));
            return r.linear(y, "fc3");
        };
    }

    static Net lenet300() {
        return (r, x) -> {
            Tensor y = torch.flatten(x, 1, -1);
            y = torch.relu(r.linear(y, "fc1"));
            y = torch.relu(r.linear(y, "fc2"));
            return r.linear(y, "fc3");
        };
    }
}
