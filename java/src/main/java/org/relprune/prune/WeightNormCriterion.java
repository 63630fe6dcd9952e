package org.relprune.prune;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.relprune.model.Model;
import org.relprune.tensor.HostTensor;

/**
 * Weight magnitude: the L1 or L2 norm of each component's raw filter (conv) or weight row
 * (linear), before BatchNorm folding; for an attention head, of its q, k and v rows of the
 * in-projection.
 */
public record WeightNormCriterion(int p) implements Criterion {
    public WeightNormCriterion {
        if (p != 1 && p != 2) {
            throw new IllegalArgumentException("weight norm must be l1 or l2, not l" + p);
        }
    }

    @Override
    public String name() {
        return "l" + p;
    }

    @Override
    public List<double[]> score(Model model, List<PrunableLayer> layers, ReferenceSet reference) {
        List<double[]> scores = new ArrayList<>();
        for (PrunableLayer l : layers) {
            HostTensor w = model.backend().download(model.get(l.weight()));
            int rows = (int) w.shape().dim(0);
            int rowLength = w.data().length / rows;
            double[] s = new double[l.count()];
            for (int c = 0; c < l.count(); c++) {
                double acc = 0;
                for (int row : l.weightRows(c, rows)) {
                    for (int i = row * rowLength; i < (row + 1) * rowLength; i++) {
                        double v = Math.abs(w.data()[i]);
                        acc += p == 1 ? v : v * v;
                    }
                }
                s[c] = p == 1 ? acc : Math.sqrt(acc);
            }
            scores.add(s);
        }
        return scores;
    }

    @Override
    public JsonObject settings() {
        return new JsonObject();
    }
}
