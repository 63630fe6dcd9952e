package org.relprune.backend.cpu;

import static org.relprune.backend.cpu.TorchTensors.t;
import static org.relprune.backend.cpu.TorchTensors.wrap;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.relprune.backend.OptimizerSpec;
import org.relprune.backend.TrainingBackend;
import org.relprune.backend.TrainingSession;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Tensor;

/** Weights being trained with libtorch autograd and a libtorch optimizer (SGD or Adam). */
public final class TorchTrainingSession implements TrainingSession {
    static {
        org.relprune.backend.jni.NativeCache.configure(); // before libtorch is touched (NativeCache)
    }
    private final AutogradBackend backend = new AutogradBackend();
    private final Map<String, Tensor> weights = new LinkedHashMap<>();
    private final Optimizer optimizer;
    private final TensorVector parameters;
    private boolean closed;

    /**
     * @param initial   every parameter and buffer, by name
     * @param trainable the names that are optimized (the others, BatchNorm statistics, are buffers)
     */
    public TorchTrainingSession(Map<String, HostTensor> initial, Set<String> trainable, OptimizerSpec spec) {
        org.bytedeco.pytorch.Tensor[] params = initial.keySet().stream().filter(trainable::contains)
                .map(n -> (org.bytedeco.pytorch.Tensor) null).toArray(org.bytedeco.pytorch.Tensor[]::new);
        int i = 0;
        for (Map.Entry<String, HostTensor> e : initial.entrySet()) {
            org.bytedeco.pytorch.Tensor t = TorchTensors.fromHost(e.getValue());
            if (trainable.contains(e.getKey())) {
                t.requires_grad_(true);
                params[i++] = t;
            }
            weights.put(e.getKey(), wrap(t));
        }
        parameters = new TensorVector(params);
        optimizer = switch (spec.kind()) {
            case SGD -> {
                SGDOptions o = new SGDOptions(spec.learningRate());
                o.momentum().put(spec.momentum());
                o.weight_decay().put(spec.weightDecay());
                o.nesterov().put(spec.nesterov());
                yield new SGD(parameters, o);
            }
            case ADAM -> {
                AdamOptions o = new AdamOptions(spec.learningRate());
                o.weight_decay().put(spec.weightDecay());
                yield new Adam(parameters, o);
            }
        };
    }

    @Override
    public TrainingBackend backend() {
        return backend;
    }

    @Override
    public Tensor weight(String name) {
        check();
        Tensor t = weights.get(name);
        if (t == null) {
            throw new IllegalStateException("training session has no tensor '" + name + "'");
        }
        return t;
    }

    @Override
    public Step step(Tensor logits, int[] labels) {
        check();
        long[] l = new long[labels.length];
        for (int i = 0; i < l.length; i++) {
            l[i] = labels[i];
        }
        try (LongPointer lp = new LongPointer(l);
             org.bytedeco.pytorch.Tensor target = torch.from_blob(lp, new long[] {l.length}, new org.bytedeco.pytorch.TensorOptions(torch.ScalarType.Long)).clone();
             org.bytedeco.pytorch.Tensor loss = torch.cross_entropy_loss(t(logits), target)) {
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            double value = loss.item_float();
            int correct;
            try (org.bytedeco.pytorch.Tensor pred = t(logits).argmax(new org.bytedeco.pytorch.LongOptional(1), false);
                 org.bytedeco.pytorch.Tensor eq = pred.eq(target);
                 org.bytedeco.pytorch.Tensor sum = eq.sum()) {
                correct = (int) sum.item_long();
            }
            return new Step(value, correct);
        }
    }

    @Override
    public void learningRate(double lr) {
        check();
        var groups = optimizer.param_groups();
        for (long g = 0; g < groups.size(); g++) {
            groups.get(g).options().set_lr(lr);
        }
    }

    @Override
    public Map<String, HostTensor> exportWeights() {
        check();
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : weights.entrySet()) {
            out.put(e.getKey(), TorchTensors.toHost(t(e.getValue())));
        }
        return out;
    }

    private void check() {
        if (closed) {
            throw new IllegalStateException("training session used after close");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            optimizer.close();
            parameters.close();
            weights.values().forEach(Tensor::close);
        }
    }
}
