package org.relprune.run;

import java.io.IOException;
import org.relprune.io.data.Datasets;
import org.relprune.io.data.ImageDataset;
import org.relprune.io.data.PreparedData;
import org.relprune.io.data.Sampling;
import org.relprune.model.Graph;
import org.relprune.prune.ReferenceSet;

/**
 * The images a pruning run reads, prepared from its settings: the model's splits (from its
 * sidecar) or a tensor dataset taken as it is, a restricted task's classes, the stratified
 * evaluation limits (drawn with the reference seed, so a search's final curves use its trials'
 * images) and the reference set.
 *
 * @param validation null for a tensor dataset (no splits)
 * @param classes    the classes of a restricted task, or null for all
 * @param tensorData the data is a tensor dataset evaluated as it is ("data" split)
 */
public record PruningData(ImageDataset raw, ImageDataset validation, ImageDataset test, ReferenceSet reference, int[] classes, boolean tensorData) {

    public static PruningData prepare(Graph graph, PruneSettings s) throws IOException {
        ImageDataset raw = Datasets.open(s.data());
        DatasetFit.check(graph, raw);
        ImageDataset train = null;
        ImageDataset val = null;
        ImageDataset test;
        PreparedData d = null;
        // a tensor dataset (already normalized) is the evaluation set as it is: one curve, no splits
        boolean tensorData = raw.normalized();
        if (tensorData) {
            if (s.reference() == null) {
                throw new IllegalArgumentException(s.data() + " is a tensor dataset (evaluated as it is, no training split to sample from): "
                        + "give the reference images with --reference F");
            }
            test = raw;
        } else {
            d = ModelSplits.prepare(s.weights(), raw);
            train = d.train();
            val = d.validation();
            test = d.test();
        }
        if (s.reference() != null && s.referencePerClass() != null) {
            throw new IllegalArgumentException("give either --reference or --reference-per-class, not both");
        }
        int[] allowed = null;
        if (s.classes() != null) {
            if (s.classes() < 2 || s.classes() > raw.numClasses()) {
                throw new IllegalArgumentException("--classes " + s.classes() + " must be in [2, " + raw.numClasses() + "]");
            }
            allowed = Sampling.firstClasses(s.classes(), raw.numClasses());
            train = restrict(train, allowed);
            val = restrict(val, allowed);
            test = restrict(test, allowed);
        }
        val = limit(val, s.validationLimit(), s.seed());
        test = limit(test, s.testLimit(), s.seed());
        ReferenceSet reference;
        if (s.reference() != null) {
            ImageDataset ref = Datasets.open(s.reference());
            DatasetFit.check(graph, ref);
            if (!ref.normalized()) {
                if (d == null) {
                    throw new IllegalArgumentException("--reference " + s.reference() + " holds raw images but --data is a tensor dataset: "
                            + "give the reference as a tensor dataset too (normalized like --data)");
                }
                ref = ref.normalized(d.mean(), d.std());
            }
            reference = ReferenceSet.all(restrict(ref, allowed));
        } else {
            if (s.effectivePerClass() < 1) {
                throw new IllegalArgumentException("--reference-per-class must be >= 1");
            }
            reference = ReferenceSet.perClass(train, s.effectivePerClass(), s.seed());
        }
        return new PruningData(raw, val, test, reference, allowed, tensorData);
    }

    private static ImageDataset limit(ImageDataset d, Integer limit, long seed) {
        return d == null || limit == null ? d : d.subset(Sampling.stratified(d.labels(), limit, seed));
    }

    private static ImageDataset restrict(ImageDataset d, int[] classes) {
        return d == null || classes == null ? d : d.subset(Sampling.classSubset(d.labels(), Sampling.all(d.size()), classes));
    }
}
