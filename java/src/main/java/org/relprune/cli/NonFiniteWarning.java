package org.relprune.cli;

import java.io.PrintWriter;
import org.relprune.model.Predictions;
import org.relprune.tensor.HostTensor;

/** A warning when outputs hold NaN or infinite values: the file is still written, but the numbers say nothing. */
final class NonFiniteWarning {
    private NonFiniteWarning() {
    }

    /** Warns when rows of logits [n, classes] are not finite. */
    static void logits(PrintWriter err, String command, HostTensor logits) {
        int n = (int) logits.shape().dim(0);
        int bad = Predictions.nonFiniteRows(logits.data(), n == 0 ? 1 : logits.data().length / n);
        if (bad > 0) {
            err.println(command + ": warning: " + bad + " of " + n + " inputs have logits that are not finite (NaN or infinite): "
                    + "check the weights (a diverged training?) and the inputs");
        }
    }
}
