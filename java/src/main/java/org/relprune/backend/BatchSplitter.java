package org.relprune.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Runs work over n samples in batches and, when the device runs out of memory on a batch, halves
 * the batch size and runs that batch again, down to one sample; later batches keep the smaller
 * size. So a batch that does not fit costs a retry, never the process. Each batch's work must
 * leave no partial result behind when it throws (return its result, and let the caller merge
 * what came back), and must free its device memory on the way out (a
 * {@link org.relprune.tensor.TensorScope} inside the work does). One per job: the size it learns
 * holds for that job's batches.
 */
public final class BatchSplitter {
    /** The work for samples [from, to). */
    @FunctionalInterface
    public interface BatchWork<T> {
        T run(int from, int to);
    }

    private final String what;
    private final Consumer<String> log;
    private int batch;

    /**
     * @param what the job, for messages ("LRP scores of the reference set")
     * @param batch the batch size to start with (at least 1)
     * @param log where a split is reported (one line each)
     */
    public BatchSplitter(String what, int batch, Consumer<String> log) {
        if (batch < 1) {
            throw new IllegalArgumentException(what + ": batch size must be at least 1, got " + batch);
        }
        this.what = what;
        this.batch = batch;
        this.log = log;
    }

    /** The batch size now: the starting one, or what it was halved to. */
    public int batchSize() {
        return batch;
    }

    /** The results of the batches covering [0, n), in order. */
    public <T> List<T> map(int n, BatchWork<T> work) {
        List<T> out = new ArrayList<>();
        int from = 0;
        while (from < n) {
            int to = Math.min(n, from + batch);
            try {
                out.add(work.run(from, to));
                from = to;
            } catch (DeviceOutOfMemoryException e) {
                int size = to - from;
                if (size == 1) {
                    throw new DeviceOutOfMemoryException(what + ": the device runs out of memory even for one sample: " + e.getMessage(), e);
                }
                batch = (size + 1) / 2;
                log.accept(String.format(Locale.ROOT, "%s: device out of memory at batch %d, retrying in batches of %d (%s)",
                        what, size, batch, e.getMessage()));
            }
        }
        return out;
    }
}
