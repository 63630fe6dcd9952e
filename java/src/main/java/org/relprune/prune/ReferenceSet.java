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

    public int size() {
        return labels.length;
    }

    /** Images [from, to) as one batch. */
    public HostTensor slice(int from, int to) {
        long[] dims = images.shape().dims();
        int per = (int) (images.data().length / dims[0]);
        float[] v = java.util.Arrays.copyOfRange(images.data(), from * per, to * per);
        dims[0] = to - from;
        return new HostTensor(org.relprune.tensor.Shape.of(dims), v);
    }
}
