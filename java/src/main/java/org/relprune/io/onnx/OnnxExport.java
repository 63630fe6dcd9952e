package org.relprune.io.onnx;

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
import org.relprune.model.ParamSpec;
import org.relprune.model.layers.AdaptiveAvgPool2d;
import org.relprune.model.layers.Add;
import org.relprune.model.layers.AvgPool2d;
import org.relprune.model.layers.BatchNorm2d;
import org.relprune.model.layers.Conv2d;
import org.relprune.model.layers.Flatten;
import org.relprune.model.layers.Linear;
import org.relprune.model.layers.MaxPool2d;
import org.relprune.model.layers.ReLU;
import org.relprune.tensor.HostTensor;

/**
 * Writes a CNN graph with its weights as an ONNX model (opset 17, IR version 8), encoded with our
 * own protobuf writer from the field numbers of onnx.proto. Input "input" [batch, C, H, W],
 * output "logits" [batch, classes]; every node keeps its graph name, every weight its
 * torchvision name. Layers ONNX 17 cannot express as such (GELU, attention) are refused.
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
        ProtoWriter graph = new ProtoWriter();
        graph.string(GRAPH_NAME, g.name());
        List<Node> nodes = g.nodes();
        String last = nodes.get(nodes.size() - 1).name();
        for (Node n : nodes) {
            if (n.index() == 0) {
                continue;
            }
            String[] in = n.inputs().stream().map(i -> i == 0 ? "input" : nodes.get(i).name()).toArray(String[]::new);
            String outName = n.name().equals(last) ? "logits" : n.name();
            graph.message(GRAPH_NODE, node(n, in, outName));
            for (ParamSpec p : n.layer().params()) {
                // optional buffers (num_batches_tracked) are no operator inputs
                if (!p.name().contains("#") && p.kind() != ParamSpec.Kind.OPTIONAL_BUFFER) {
                    HostTensor t = weights.get(p.name());
                    if (t == null) {
                        throw new IllegalArgumentException("ONNX export: no weight '" + p.name() + "' for node " + n.name());
                    }
                    graph.message(GRAPH_INITIALIZER, tensor(p.name(), t));
                }
            }
        }
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

    private static ProtoWriter node(Node n, String[] inputs, String output) {
        ProtoWriter p = new ProtoWriter();
        String op;
        String[] in = inputs;
        ProtoWriter[] attrs;
        if (n.layer() instanceof Conv2d c) {
            op = "Conv";
            in = c.bias() != null ? new String[] {inputs[0], c.weight(), c.bias()} : new String[] {inputs[0], c.weight()};
            Conv2dSpec s = c.spec();
            attrs = new ProtoWriter[] {ints("kernel_shape", c.kernelH(), c.kernelW()), ints("strides", s.strideH(), s.strideW()),
                ints("pads", s.padH(), s.padW(), s.padH(), s.padW()), ints("dilations", s.dilationH(), s.dilationW()), integer("group", s.groups())};
        } else if (n.layer() instanceof BatchNorm2d b) {
            op = "BatchNormalization";
            in = new String[] {inputs[0], b.prefix() + ".weight", b.prefix() + ".bias", b.prefix() + ".running_mean", b.prefix() + ".running_var"};
            attrs = new ProtoWriter[] {real("epsilon", (float) b.eps())};
        } else if (n.layer() instanceof ReLU) {
            op = "Relu";
            attrs = new ProtoWriter[0];
        } else if (n.layer() instanceof MaxPool2d m) {
            op = "MaxPool";
            attrs = pool(m.spec());
        } else if (n.layer() instanceof AvgPool2d a) {
            op = "AveragePool";
            ProtoWriter[] pa = pool(a.spec());
            attrs = java.util.Arrays.copyOf(pa, pa.length + 1);
            attrs[pa.length] = integer("count_include_pad", 1);
        } else if (n.layer() instanceof AdaptiveAvgPool2d a) {
            if (a.outH() != 1 || a.outW() != 1) {
                throw new IllegalArgumentException("ONNX export: adaptive average pooling to " + a.outH() + "x" + a.outW() + " (node " + n.name()
                        + ") has no ONNX 17 operator (only 1x1, GlobalAveragePool)");
            }
            op = "GlobalAveragePool";
            attrs = new ProtoWriter[0];
        } else if (n.layer() instanceof Add) {
            op = "Add";
            attrs = new ProtoWriter[0];
        } else if (n.layer() instanceof Flatten) {
            op = "Flatten";
            attrs = new ProtoWriter[] {integer("axis", 1)};
        } else if (n.layer() instanceof Linear l) {
            if (n.shape().rank() != 1) {
                throw new IllegalArgumentException("ONNX export: linear layer " + n.name() + " on tokens is not built (CNN classifiers only)");
            }
            op = "Gemm";
            in = l.bias() != null ? new String[] {inputs[0], l.weight(), l.bias()} : new String[] {inputs[0], l.weight()};
            attrs = new ProtoWriter[] {integer("transB", 1)};
        } else {
            throw new IllegalArgumentException("ONNX export: " + n.layer().kind() + " (node " + n.name() + ") is not built (CNNs only)");
        }
        for (String i : in) {
            p.string(NODE_INPUT, i);
        }
        p.string(NODE_OUTPUT, output);
        p.string(NODE_NAME, n.name());
        p.string(NODE_OP_TYPE, op);
        for (ProtoWriter a : attrs) {
            p.message(NODE_ATTRIBUTE, a);
        }
        return p;
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
