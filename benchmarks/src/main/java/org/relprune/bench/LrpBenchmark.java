package org.relprune.bench;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.relprune.backend.cpu.CpuBackend;
import org.relprune.lrp.Attributor;
import org.relprune.lrp.composite.Composite;
import org.relprune.lrp.composite.Composites;
import org.relprune.model.Graph;
import org.relprune.model.Model;
import org.relprune.model.RandomWeights;
import org.relprune.model.zoo.ModelZoo;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Shape;
import org.relprune.tensor.Tensor;
import org.relprune.tensor.TensorScope;

/**
 * LRP of ResNet-18 (224x224, batch 8, CPU, random weights) against libtorch's forward +
 * input-gradient of the same network in the same JVM (the baseline: one forward, one backward,
 * in the channels-last order that both libtorch and our CPU backend run fastest on x86).
 * Run: GOMP_SPINCOUNT=0 java -jar benchmarks/target/benchmarks.jar LrpBenchmark
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 10)
@Measurement(iterations = 3, time = 20)
@Fork(value = 1, jvmArgs = {"-Xmx8g"})
public class LrpBenchmark {
    private static final int BATCH = 8;
    private CpuBackend backend;
    private Model model;
    private Tensor input;
    private HostTensor hostInput;
    private Map<String, HostTensor> weights;
    private Composite epsilon;
    private Composite epsilonGammaBox;
    private Attributor cached;
    private int[] targets;

    @Setup(Level.Trial)
    public void setUp() {
        org.relprune.run.Backends.configureNativeCache(); // before torch loads: this build's own native cache folder
        Graph graph = ModelZoo.resolve("resnet18");
        weights = RandomWeights.generate(graph, 1);
        backend = new CpuBackend();
        model = Model.load(graph, weights, backend);
        Shape s = Shape.of(BATCH, 3, 224, 224);
        float[] v = new float[s.numelInt()];
        SplittableRandom rng = new SplittableRandom(2);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rng.nextDouble(-2, 2);
        }
        hostInput = new HostTensor(s, v);
        input = TensorScope.detach(backend.upload(hostInput));
        epsilon = Composites.named("conv=epsilon:0.25,linear=epsilon:0.25");
        epsilonGammaBox = Composites.named("epsilon_gamma_box");
        targets = new int[BATCH];
        for (int i = 0; i < BATCH; i++) {
            targets[i] = i * 37 % 1000;
        }
        cached = new Attributor(model, input);
    }

    /** libtorch: forward, then the gradient of the target logits w.r.t. the input, times the input. */
    @Benchmark
    public float torchForwardInputGradient() {
        try (PointerScope scope = new PointerScope()) {
            // channels-last, as the CPU backend runs images: libtorch's fastest order on x86 (docs/lrp.md)
            org.bytedeco.pytorch.Tensor x = torch.from_blob(new FloatPointer(hostInput.data()), hostInput.shape().dims()).clone()
                    .contiguous(torch.MemoryFormat.ChannelsLast);
            x.requires_grad_(true);
            org.bytedeco.pytorch.Tensor logits = TorchResNet18.forward(x, this::w);
            float[] oh = new float[BATCH * 1000];
            for (int i = 0; i < BATCH; i++) {
                oh[i * 1000 + targets[i]] = 1f;
            }
            org.bytedeco.pytorch.Tensor g = torch.from_blob(new FloatPointer(oh), BATCH, 1000).clone();
            logits.backward(g, new org.bytedeco.pytorch.BoolOptional(), false, new org.bytedeco.pytorch.TensorArrayRefOptional());
            return x.grad().mul(x).sum().item_float();
        }
    }

    private final java.util.Map<String, org.bytedeco.pytorch.Tensor> torchWeights = new java.util.HashMap<>();

    private org.bytedeco.pytorch.Tensor w(String name) {
        return torchWeights.computeIfAbsent(name, n -> {
            HostTensor h = weights.get(n);
            try (PointerScope outside = new PointerScope()) {
                org.bytedeco.pytorch.Tensor t = torch.from_blob(new FloatPointer(h.data()), h.shape().dims()).clone();
                if (t.dim() == 4) {
                    t = t.contiguous(torch.MemoryFormat.ChannelsLast);
                }
                t.retainReference();
                outside.detach(t);
                return t;
            }
        });
    }

    /** LRP with epsilon everywhere: forward (cached) + one backward. */
    @Benchmark
    public float lrpEpsilon() {
        try (TensorScope scope = TensorScope.open(); Attributor a = new Attributor(model, input)) {
            return a.explain(epsilon, targets).input().data()[0];
        }
    }

    /** LRP with epsilon_gamma_box: forward + one extra conv per layer (u) + a doubled backward. */
    @Benchmark
    public float lrpEpsilonGammaBox() {
        try (TensorScope scope = TensorScope.open(); Attributor a = new Attributor(model, input)) {
            return a.explain(epsilonGammaBox, targets).input().data()[0];
        }
    }

    /** A second composite on an already cached batch: no forward pass at all. */
    @Benchmark
    public float lrpEpsilonOnCachedBatch() {
        try (TensorScope scope = TensorScope.open()) {
            return cached.explain(epsilon, targets).input().data()[0];
        }
    }

    /** The backend's own description (threads, memory order, oneDNN mode), for reports. */
    public String description() {
        return backend.description();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        cached.close();
        input.close();
        model.close();
        backend.close();
    }

    /** torchvision's ResNet-18 written with libtorch ops (BatchNorm in eval mode), for the baseline. */
    static final class TorchResNet18 {
        interface W {
            org.bytedeco.pytorch.Tensor get(String name);
        }

        static org.bytedeco.pytorch.Tensor conv(org.bytedeco.pytorch.Tensor x, W w, String m, int s, int p) {
            return torch.conv2d(x, w.get(m + ".weight"), new TensorOptional(), new long[] {s, s}, new long[] {p, p}, new long[] {1, 1}, 1);
        }

        static org.bytedeco.pytorch.Tensor bn(org.bytedeco.pytorch.Tensor x, W w, String m) {
            return torch.batch_norm(x, new TensorOptional(w.get(m + ".weight")), new TensorOptional(w.get(m + ".bias")),
                    new TensorOptional(w.get(m + ".running_mean")), new TensorOptional(w.get(m + ".running_var")), false, 0.1, 1e-5, false);
        }

        static org.bytedeco.pytorch.Tensor forward(org.bytedeco.pytorch.Tensor x, W w) {
            org.bytedeco.pytorch.Tensor y = torch.relu(bn(conv(x, w, "conv1", 2, 3), w, "bn1"));
            y = torch.max_pool2d(y, new long[] {3, 3}, new long[] {2, 2}, new long[] {1, 1}, new long[] {1, 1}, false);
            for (int s = 0; s < 4; s++) {
                for (int b = 0; b < 2; b++) {
                    String p = "layer" + (s + 1) + "." + b;
                    int stride = (b == 0 && s > 0) ? 2 : 1;
                    org.bytedeco.pytorch.Tensor out = torch.relu(bn(conv(y, w, p + ".conv1", stride, 1), w, p + ".bn1"));
                    out = bn(conv(out, w, p + ".conv2", 1, 1), w, p + ".bn2");
                    org.bytedeco.pytorch.Tensor id = (b == 0 && s > 0) ? bn(conv(y, w, p + ".downsample.0", stride, 0), w, p + ".downsample.1") : y;
                    y = torch.relu(out.add(id));
                }
            }
            y = torch.flatten(torch.adaptive_avg_pool2d(y, 1, 1), 1, -1);
            return torch.linear(y, w.get("fc.weight"), new TensorOptional(w.get("fc.bias")));
        }
    }
}
