package org.relprune.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.relprune.backend.cpu.CpuBackend;
import org.relprune.model.Graph;
import org.relprune.model.Model;
import org.relprune.model.RandomWeights;
import org.relprune.model.zoo.ModelZoo;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Shape;
import org.relprune.tensor.Tensor;
import org.relprune.tensor.TensorScope;

/**
 * CPU forward pass of zoo models (random weights, 224x224): the baseline the LRP benchmarks are
 * put beside. Run: java -jar benchmarks/target/benchmarks.jar ForwardBenchmark
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
@Fork(1)
public class ForwardBenchmark {
    @Param({"resnet18", "vit_b_16"})
    public String model;

    @Param({"8"})
    public int batch;

    private CpuBackend backend;
    private Model loaded;
    private Tensor input;

    @Setup(Level.Trial)
    public void setUp() {
        Graph graph = ModelZoo.resolve(model);
        backend = new CpuBackend();
        loaded = Model.load(graph, RandomWeights.generate(graph, 1), backend);
        long[] d = graph.inputShape().dims();
        Shape s = Shape.of(batch, d[0], d[1], d[2]);
        float[] v = new float[s.numelInt()];
        SplittableRandom rng = new SplittableRandom(2);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rng.nextDouble(-2, 2);
        }
        input = backend.upload(new HostTensor(s, v));
    }

    @Benchmark
    public float forward() {
        try (TensorScope scope = TensorScope.open()) {
            return backend.download(loaded.forward(input)).data()[0];
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        input.close();
        loaded.close();
        backend.close();
    }
}
