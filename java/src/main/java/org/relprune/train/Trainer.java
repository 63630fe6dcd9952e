package org.relprune.train;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.relprune.backend.Backend;
import org.relprune.backend.TrainingSession;
import org.relprune.io.data.ImageDataset;
import org.relprune.model.ForwardPass;
import org.relprune.model.Graph;
import org.relprune.model.Model;
import org.relprune.model.ParamSpec;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Tensor;
import org.relprune.tensor.TensorScope;

/**
 * Trains a graph: the engine's own graph run in training mode on libtorch autograd
 * (no second model definition), mean cross-entropy, the configured optimizer and schedule. The
 * run is a function of (graph, data, config): same seed, same weights.
 */
public final class Trainer {
    private final TrainingSession.Opener sessions;
    private final java.util.function.Supplier<Backend> inference;

    /**
     * Trains in sessions {@code sessions} opens; evaluates (validation per epoch) on a backend
     * {@code inference} opens for each evaluation and that is closed after it. Opened only then:
     * a CPU backend sets libtorch's thread count, which changes the first epoch's rounding.
     */
    public Trainer(TrainingSession.Opener sessions, java.util.function.Supplier<Backend> inference) {
        this.sessions = sessions;
        this.inference = inference;
    }

    public record Result(Map<String, HostTensor> weights, List<EpochStats> history) {
    }

    /**
     * Trains from {@link InitialWeights}; validation may be null. Data must be normalized already.
     * Stops at the first batch whose loss is not finite with a {@link TrainingDivergedException}
     * that carries the weights of the last finite epoch.
     */
    public Result train(Graph graph, ImageDataset train, ImageDataset validation, TrainConfig config, TrainingListener listener) {
        if (train.size() == 0) {
            throw new IllegalArgumentException("the training split is empty");
        }
        Map<String, HostTensor> initial = InitialWeights.forTraining(graph, config.seed());
        Set<String> trainable = new HashSet<>();
        for (ParamSpec p : graph.params().values()) {
            if (p.trainable()) {
                trainable.add(p.name());
            }
        }
        List<EpochStats> history = new ArrayList<>();
        int[] labels = train.labels();
        Result lastFinite = null;
        try (TrainingSession session = sessions.open(initial, trainable, config.optimizer())) {
            for (int epoch = 0; epoch < config.epochs(); epoch++) {
                long started = System.nanoTime();
                double lr = config.schedule().at(config.optimizer().learningRate(), epoch, config.epochs());
                session.learningRate(lr);
                int[] order = permutation(train.size(), new SplittableRandom(config.seed() * 1_000_003L + epoch));
                double lossSum = 0;
                long correct = 0;
                long seen = 0;
                for (int start = 0; start < order.length; start += config.batch()) {
                    int b = Math.min(config.batch(), order.length - start);
                    int[] idx = new int[b];
                    int[] y = new int[b];
                    for (int i = 0; i < b; i++) {
                        idx[i] = order[start + i];
                        y[i] = labels[idx[i]];
                    }
                    try (AutoCloseable work = session.backend().workScope(); TensorScope scope = TensorScope.open()) {
                        Tensor x = session.backend().upload(train.batch(idx));
                        Tensor logits = ForwardPass.runTraining(graph, session::weight, session.backend(), x);
                        TrainingSession.Step step = session.step(logits, y);
                        if (!Double.isFinite(step.loss())) {
                            throw new TrainingDivergedException(epoch + 1, step.loss(), lastFinite);
                        }
                        lossSum += step.loss() * b;
                        correct += step.correct();
                        seen += b;
                    } catch (RuntimeException e) {
                        throw e;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    listener.batch(epoch, seen, order.length, lossSum / seen, (double) correct / seen);
                }
                Map<String, HostTensor> weights = session.exportWeights();
                double val = Double.NaN;
                if (validation != null && validation.size() > 0) {
                    val = evaluate(graph, weights, validation).top1();
                }
                EpochStats stats = new EpochStats(epoch, lr, lossSum / seen, (double) correct / seen, val, (System.nanoTime() - started) / 1e9);
                history.add(stats);
                listener.epoch(stats);
                lastFinite = new Result(weights, List.copyOf(history));
            }
            return lastFinite;
        }
    }

    /** Accuracy of weights on a dataset with the inference engine (BatchNorm on running statistics). */
    public Accuracy evaluate(Graph graph, Map<String, HostTensor> weights, ImageDataset data) {
        try (Backend backend = inference.get(); Model model = Model.load(graph, weights, backend)) {
            return Evaluator.evaluate(model, data, 256);
        }
    }

    private static int[] permutation(int n, SplittableRandom rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
