package org.relprune.run;

import java.util.function.IntConsumer;
import org.relprune.prune.PruningJob;
import org.relprune.train.TrainingListener;

/**
 * What a run tells the person (or the job runner) waiting for it: one-line messages, the progress
 * of its phases and of training epochs. The CLI draws progress bars; a batch job or a Spark task
 * may log or stay {@link #quiet()}.
 */
public interface RunMonitor extends PruningJob.Listener {
    /** One line of news, e.g. "prune lenet5 with lrp: 100 reference images, ...". */
    void say(String line);

    /** Progress of a phase of {@code total} images; the returned consumer receives images done. */
    @Override
    IntConsumer phase(String name, int total);

    /** Receives a training run of {@code epochs} epochs; closed when it ends. */
    default Training training(int epochs) {
        return new Training() {
        };
    }

    /** A training listener that is told when training ends. */
    interface Training extends TrainingListener, AutoCloseable {
        @Override
        default void close() {
        }
    }

    /** Says nothing, shows no progress. */
    static RunMonitor quiet() {
        return new RunMonitor() {
            @Override
            public void say(String line) {
            }

            @Override
            public IntConsumer phase(String name, int total) {
                return n -> {
                };
            }
        };
    }
}
