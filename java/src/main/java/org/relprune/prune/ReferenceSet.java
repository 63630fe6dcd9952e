package org.relprune.prune;

import org.relprune.tensor.HostTensor;

/** The images a criterion scores components on, and their true labels. */
public record ReferenceSet(HostTensor images, int[] labels) {
    public ReferenceSet {
        if (images.shape().dim(0) != labels.length) {
            throw new IllegalArgumentException("reference set has " + images.shape().dim(0) + " images but " + labels.length + " labels");
        }
        if (labels.length == 0) {
            throw new IllegalArgumentException("the reference set is empty");
        }
    }

    /** n images per class of {@code data} (stratified, seeded), with their labels. */
    public static ReferenceSet perClass(org.relprune.io.data.ImageDataset data, int n, long seed) {
        int[] idx = org.relprune.io.data.Sampling.perClass(data.labels(), org.relprune.io.data.Sampling.all(data.size()), n, seed);
        int[] labels = new int[idx.length];
        for (int i = 0; i < idx.length; i++) {
            labels[i] = data.label(idx[i]);
        }
        return new ReferenceSet(data.batch(idx), labels);
    }

    /** Every image of {@code data}. */
    public static ReferenceSet all(org.relprune.io.data.ImageDataset data) {
        return new ReferenceSet(data.batch(org.relprune.io.data.Sampling.all(data.size())), data.labels());
    }

    public int size() {
        return labels.length;
    }

    /** Images [from, to) as one batch. */
    public HostTensor slice(int from, int to) {
        return images.rows(from, to);
    }
}
