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

    /** Warns when the input relevance of some samples is not finite. */
    static void relevance(PrintWriter err, HostTensor input) {
        int n = (int) input.shape().dim(0);
        int bad = n == 0 ? 0 : Predictions.nonFiniteRows(input.data(), input.data().length / n);
        if (bad > 0) {
            err.println("explain: warning: the relevance of " + bad + " of " + n + " inputs is not finite (NaN or infinite): "
                    + "check the weights, the inputs and the composite's parameters");
        }
    }
}
