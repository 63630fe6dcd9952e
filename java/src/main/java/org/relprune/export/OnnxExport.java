package org.relprune.export;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.relprune.backend.Conv2dSpec;
import org.relprune.backend.Pool2dSpec;
import org.relprune.io.AtomicFileWrite;
import org.relprune.model.Graph;
import org.relprune.model.Node;
import org.relprune.model.layers.AdaptiveAvgPool2d;
import org.relprune.model.layers.Add;
import org.relprune.model.layers.AttentionCore;
import org.relprune.model.layers.AvgPool2d;
import org.relprune.model.layers.BatchNorm2d;
import org.relprune.model.layers.Conv2d;
import org.relprune.model.layers.Flatten;
import org.relprune.model.layers.GELU;
import org.relprune.model.layers.LayerNorm;
import org.relprune.model.layers.Linear;
import org.relprune.model.layers.MaxPool2d;
import org.relprune.model.layers.ReLU;
import org.relprune.model.layers.SelectToken;
import org.relprune.model.layers.VitEmbedding;
import org.relprune.tensor.HostTensor;

/**
 * Writes a graph with its weights as an ONNX model (opset 17, IR version 8), encoded with our
 * own protobuf writer from the field numbers of onnx.proto. Input "input" [batch, C, H, W],
 * output "logits" [batch, classes]; every node keeps its graph name (its helper nodes are named
 * below it, "node/part"), every weight its torchvision name. CNNs map operator for operator; a
 * ViT's GELU becomes 0.5 x (1 + erf(x / sqrt 2)) and its attention core reshapes, matrix
 * products and a softmax.
 */
public final class OnnxExport {
    // onnx.proto field numbers
    private static final int MODEL_IR_VERSION = 1;
    private static final int MODEL_PRODUCER_NAME = 2;
    private static final int MODEL_PRODUCER_VERSION = 3;
    private static final int MODEL_GRAPH = 7;
    private static final int MODEL_OPSET_IMPORT = 8;
    private static final int OPSET_VERSION = 2;
    private static final int GRAPH_NODE = 1;
    private static final int GRAPH_NAME = 2;
    private static final int GRAPH_INITIALIZER = 5;
    private static final int GRAPH_INPUT = 11;
    private static final int GRAPH_OUTPUT = 12;
    private static final int NODE_INPUT = 1;
    private static final int NODE_OUTPUT = 2;
    private static final int NODE_NAME = 3;
    private static final int NODE_OP_TYPE = 4;
    private static final int NODE_ATTRIBUTE = 5;
    private static final int ATTR_NAME = 1;
    private static final int ATTR_F = 2;
    private static final int ATTR_I = 3;
    private static final int ATTR_INTS = 8;
    private static final int ATTR_TYPE = 20;
    private static final int ATTR_TYPE_FLOAT = 1;
    private static final int ATTR_TYPE_INT = 2;
    private static final int ATTR_TYPE_INTS = 7;
    private static final int TENSOR_DIMS = 1;
    private static final int TENSOR_DATA_TYPE = 2;
    private static final int TENSOR_NAME = 8;
    private static final int TENSOR_RAW_DATA = 9;
    private static final int TENSOR_FLOAT = 1;
    private static final int TENSOR_INT64 = 7;
    private static final int VALUE_NAME = 1;
    private static final int VALUE_TYPE = 2;
    private static final int TYPE_TENSOR = 1;
    private static final int TYPE_TENSOR_ELEM_TYPE = 1;
    private static final int TYPE_TENSOR_SHAPE = 2;
    private static final int SHAPE_DIM = 1;
    private static final int DIM_VALUE = 1;
    private static final int DIM_PARAM = 2;

    public static final int OPSET = 17;
    private static final int IR_VERSION = 8;

    private OnnxExport() {
    }

    public static void write(Path file, Graph g, Map<String, HostTensor> weights, String producerVersion) throws IOException {
        Emitter e = new Emitter(weights);
        List<Node> nodes = g.nodes();
        String last = nodes.get(nodes.size() - 1).name();
        for (Node n : nodes) {
            if (n.index() == 0) {
                continue;
            }
            String[] in = n.inputs().stream().map(i -> i == 0 ? "input" : nodes.get(i).name()).toArray(String[]::new);
            emit(e, n, in, n.name().equals(last) ? "logits" : n.name());
        }
        ProtoWriter graph = new ProtoWriter();
        graph.string(GRAPH_NAME, g.name());
        e.nodes.forEach(nd -> graph.message(GRAPH_NODE, nd));
        e.initializers.values().forEach(t -> graph.message(GRAPH_INITIALIZER, t));
        long[] in = new long[g.inputShape().rank() + 1];
        System.arraycopy(g.inputShape().dims(), 0, in, 1, g.inputShape().rank());
        graph.message(GRAPH_INPUT, value("input", in));
        graph.message(GRAPH_OUTPUT, value("logits", new long[] {0, g.output().shape().dim(-1)}));
        ProtoWriter model = new ProtoWriter();
        model.int64(MODEL_IR_VERSION, IR_VERSION);
        model.string(MODEL_PRODUCER_NAME, "relprune");
        model.string(MODEL_PRODUCER_VERSION, producerVersion);
        model.message(MODEL_GRAPH, graph);
        model.message(MODEL_OPSET_IMPORT, new ProtoWriter().int64(OPSET_VERSION, OPSET));
        byte[] bytes = model.toByteArray();
        AtomicFileWrite.write(file, c -> {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                c.write(b);
            }
        });
    }

    /** The ONNX nodes and initializers being written; intermediate names derive from the graph node's. */
    private static final class Emitter {
        final Map<String, HostTensor> weights;
        final List<ProtoWriter> nodes = new java.util.ArrayList<>();
        final Map<String, ProtoWriter> initializers = new java.util.LinkedHashMap<>();

        Emitter(Map<String, HostTensor> weights) {
            this.weights = weights;
        }

        void op(String type, String name, String[] inputs, String output, ProtoWriter... attrs) {
            ProtoWriter p = new ProtoWriter();
            for (String i : inputs) {
                p.string(NODE_INPUT, i);
            }
            p.string(NODE_OUTPUT, output);
            p.string(NODE_NAME, name);
            p.string(NODE_OP_TYPE, type);
            for (ProtoWriter a : attrs) {
                p.message(NODE_ATTRIBUTE, a);
            }
            nodes.add(p);
        }

        /** A model weight as an initializer (once), under its own name. */
        String weight(String name) {
            if (!initializers.containsKey(name)) {
                HostTensor t = weights.get(name);
                if (t == null) {
                    throw new IllegalArgumentException("ONNX export: no weight '" + name + "'");
                }
                initializers.put(name, tensor(name, t));
            }
            return name;
        }

        /** A [out, in] weight transposed to [in, out] (for MatMul on tokens). */
        String transposed(String name) {
            String t = name + ".T";
            if (!initializers.containsKey(t)) {
                HostTensor w = weights.get(name);
                int rows = (int) w.shape().dim(0);
                int cols = (int) w.shape().dim(1);
                float[] v = new float[rows * cols];
                for (int i = 0; i < rows; i++) {
                    for (int j = 0; j < cols; j++) {
                        v[j * rows + i] = w.data()[i * cols + j];
                    }
                }
                initializers.put(t, tensor(t, new HostTensor(org.relprune.tensor.Shape.of(cols, rows), v)));
            }
            return t;
        }

        String floats(String name, long[] dims, float... v) {
            initializers.put(name, tensor(name, new HostTensor(org.relprune.tensor.Shape.of(dims), v)));
            return name;
        }

        String int64s(String name, long[] dims, long... v) {
            ProtoWriter p = new ProtoWriter();
            p.packedInt64(TENSOR_DIMS, dims);
            p.int64(TENSOR_DATA_TYPE, TENSOR_INT64);
            p.string(TENSOR_NAME, name);
            ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
            b.asLongBuffer().put(v);
            p.bytes(TENSOR_RAW_DATA, b.array());
            initializers.put(name, p);
            return name;
        }
    }

    private static void emit(Emitter e, Node n, String[] inputs, String output) {
        String x = inputs.length > 0 ? inputs[0] : null;
        String p = n.name();
        if (n.layer() instanceof Conv2d c) {
            String[] in = c.bias() != null ? new String[] {x, e.weight(c.weight()), e.weight(c.bias())} : new String[] {x, e.weight(c.weight())};
            Conv2dSpec s = c.spec();
            e.op("Conv", p, in, output, ints("kernel_shape", c.kernelH(), c.kernelW()), ints("strides", s.strideH(), s.strideW()),
                    ints("pads", s.padH(), s.padW(), s.padH(), s.padW()), ints("dilations", s.dilationH(), s.dilationW()), integer("group", s.groups()));
        } else if (n.layer() instanceof BatchNorm2d b) {
            e.op("BatchNormalization", p, new String[] {x, e.weight(b.prefix() + ".weight"), e.weight(b.prefix() + ".bias"),
                e.weight(b.prefix() + ".running_mean"), e.weight(b.prefix() + ".running_var")}, output, real("epsilon", (float) b.eps()));
        } else if (n.layer() instanceof ReLU) {
            e.op("Relu", p, inputs, output);
        } else if (n.layer() instanceof GELU) {
            // 0.5 x (1 + erf(x / sqrt 2)): GELU itself is an operator only from opset 20
            e.op("Mul", p + "/scaled", new String[] {x, e.floats(p + "/inv_sqrt2", new long[0], (float) (1 / Math.sqrt(2)))}, p + "/scaled");
            e.op("Erf", p + "/erf", new String[] {p + "/scaled"}, p + "/erf");
            e.op("Add", p + "/one_plus", new String[] {p + "/erf", e.floats(p + "/one", new long[0], 1f)}, p + "/one_plus");
            e.op("Mul", p + "/times_x", new String[] {x, p + "/one_plus"}, p + "/times_x");
            e.op("Mul", p, new String[] {p + "/times_x", e.floats(p + "/half", new long[0], 0.5f)}, output);
        } else if (n.layer() instanceof MaxPool2d m) {
            e.op("MaxPool", p, inputs, output, pool(m.spec()));
        } else if (n.layer() instanceof AvgPool2d a) {
            ProtoWriter[] pa = pool(a.spec());
            ProtoWriter[] attrs = java.util.Arrays.copyOf(pa, pa.length + 1);
            attrs[pa.length] = integer("count_include_pad", 1);
            e.op("AveragePool", p, inputs, output, attrs);
        } else if (n.layer() instanceof AdaptiveAvgPool2d a) {
            if (a.outH() != 1 || a.outW() != 1) {
                throw new IllegalArgumentException("ONNX export: adaptive average pooling to " + a.outH() + "x" + a.outW() + " (node " + n.name()
                        + ") has no ONNX 17 operator (only 1x1, GlobalAveragePool)");
            }
            e.op("GlobalAveragePool", p, inputs, output);
        } else if (n.layer() instanceof Add) {
            e.op("Add", p, inputs, output);
        } else if (n.layer() instanceof Flatten) {
            e.op("Flatten", p, inputs, output, integer("axis", 1));
        } else if (n.layer() instanceof Linear l) {
            if (n.shape().rank() == 1) {
                String[] in = l.bias() != null ? new String[] {x, e.weight(l.weight()), e.weight(l.bias())} : new String[] {x, e.weight(l.weight())};
                e.op("Gemm", p, in, output, integer("transB", 1));
            } else if (l.bias() != null) {
                e.op("MatMul", p + "/matmul", new String[] {x, e.transposed(l.weight())}, p + "/matmul");
                e.op("Add", p, new String[] {p + "/matmul", e.weight(l.bias())}, output);
            } else {
                e.op("MatMul", p, new String[] {x, e.transposed(l.weight())}, output);
            }
        } else if (n.layer() instanceof LayerNorm ln) {
            e.op("LayerNormalization", p, new String[] {x, e.weight(ln.prefix() + ".weight"), e.weight(ln.prefix() + ".bias")}, output,
                    integer("axis", -1), real("epsilon", (float) ln.eps()));
        } else if (n.layer() instanceof VitEmbedding v) {
            // patches [b, d, gh, gw] -> [b, G, d]; the class token joins first (batch-expanded by adding it to a
            // zeroed slice of the tokens), then the position embedding
            e.op("Reshape", p + "/grid", new String[] {x, e.int64s(p + "/grid_shape", new long[] {3}, 0, v.dim(), -1)}, p + "/grid");
            e.op("Transpose", p + "/tokens", new String[] {p + "/grid"}, p + "/tokens", ints("perm", 0, 2, 1));
            e.op("Slice", p + "/first", new String[] {p + "/tokens", e.int64s(p + "/s0", new long[] {1}, 0), e.int64s(p + "/s1", new long[] {1}, 1),
                e.int64s(p + "/axis1", new long[] {1}, 1)}, p + "/first");
            e.op("Mul", p + "/zero", new String[] {p + "/first", e.floats(p + "/zero_f", new long[0], 0f)}, p + "/zero");
            e.op("Add", p + "/cls", new String[] {p + "/zero", e.weight(v.classToken())}, p + "/cls");
            e.op("Concat", p + "/joined", new String[] {p + "/cls", p + "/tokens"}, p + "/joined", integer("axis", 1));
            e.op("Add", p, new String[] {p + "/joined", e.weight(v.posEmbedding())}, output);
        } else if (n.layer() instanceof AttentionCore a) {
            int dh = a.dim() / a.heads();
            e.op("Reshape", p + "/split", new String[] {x, e.int64s(p + "/split_shape", new long[] {5}, 0, 0, 3, a.heads(), dh)}, p + "/split");
            e.op("Transpose", p + "/qkv", new String[] {p + "/split"}, p + "/qkv", ints("perm", 2, 0, 3, 1, 4)); // [3, b, h, n, dh]
            String[] parts = {"q", "k", "v"};
            for (int i = 0; i < 3; i++) {
                e.op("Gather", p + "/" + parts[i], new String[] {p + "/qkv", e.int64s(p + "/index" + i, new long[0], i)}, p + "/" + parts[i],
                        integer("axis", 0));
            }
            e.op("Transpose", p + "/kT", new String[] {p + "/k"}, p + "/kT", ints("perm", 0, 1, 3, 2));
            e.op("MatMul", p + "/scores", new String[] {p + "/q", p + "/kT"}, p + "/scores");
            e.op("Mul", p + "/scaled", new String[] {p + "/scores", e.floats(p + "/scale", new long[0], (float) (1 / Math.sqrt(dh)))}, p + "/scaled");
            e.op("Softmax", p + "/attention", new String[] {p + "/scaled"}, p + "/attention", integer("axis", -1));
            e.op("MatMul", p + "/context", new String[] {p + "/attention", p + "/v"}, p + "/context");
            e.op("Transpose", p + "/merged", new String[] {p + "/context"}, p + "/merged", ints("perm", 0, 2, 1, 3));
            e.op("Reshape", p, new String[] {p + "/merged", e.int64s(p + "/merge_shape", new long[] {3}, 0, 0, a.dim())}, output);
        } else if (n.layer() instanceof SelectToken t) {
            e.op("Gather", p, new String[] {x, e.int64s(p + "/index", new long[0], t.index())}, output, integer("axis", 1));
        } else {
            throw new IllegalArgumentException("ONNX export: " + n.layer().kind() + " (node " + n.name() + ") is not built");
        }
    }

    private static ProtoWriter[] pool(Pool2dSpec s) {
        return new ProtoWriter[] {ints("kernel_shape", s.kernelH(), s.kernelW()), ints("strides", s.strideH(), s.strideW()),
            ints("pads", s.padH(), s.padW(), s.padH(), s.padW())};
    }

    private static ProtoWriter ints(String name, long... v) {
        ProtoWriter a = new ProtoWriter().string(ATTR_NAME, name);
        a.packedInt64(ATTR_INTS, v);
        return a.int64(ATTR_TYPE, ATTR_TYPE_INTS);
    }

    private static ProtoWriter integer(String name, long v) {
        return new ProtoWriter().string(ATTR_NAME, name).int64(ATTR_I, v).int64(ATTR_TYPE, ATTR_TYPE_INT);
    }

    private static ProtoWriter real(String name, float v) {
        return new ProtoWriter().string(ATTR_NAME, name).float32(ATTR_F, v).int64(ATTR_TYPE, ATTR_TYPE_FLOAT);
    }

    private static ProtoWriter tensor(String name, HostTensor t) {
        ProtoWriter p = new ProtoWriter();
        p.packedInt64(TENSOR_DIMS, t.shape().dims());
        p.int64(TENSOR_DATA_TYPE, TENSOR_FLOAT);
        p.string(TENSOR_NAME, name);
        ByteBuffer b = ByteBuffer.allocate(4 * t.data().length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(t.data());
        return p.bytes(TENSOR_RAW_DATA, b.array());
    }

    /** A float tensor value; dimension 0 is the symbolic "batch". */
    private static ProtoWriter value(String name, long[] dims) {
        ProtoWriter shape = new ProtoWriter();
        for (int i = 0; i < dims.length; i++) {
            ProtoWriter d = new ProtoWriter();
            if (i == 0) {
                d.string(DIM_PARAM, "batch");
            } else {
                d.int64(DIM_VALUE, dims[i]);
            }
            shape.message(SHAPE_DIM, d);
        }
        ProtoWriter tensorType = new ProtoWriter().int64(TYPE_TENSOR_ELEM_TYPE, TENSOR_FLOAT).message(TYPE_TENSOR_SHAPE, shape);
        ProtoWriter type = new ProtoWriter().message(TYPE_TENSOR, tensorType);
        return new ProtoWriter().string(VALUE_NAME, name).message(VALUE_TYPE, type);
    }
}
