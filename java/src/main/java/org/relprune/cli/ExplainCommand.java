package org.relprune.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.relprune.run.ExplainRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Explains inputs with LRP and writes the relevance tensors. */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = {"Explain inputs with LRP. Writes relevance/input [B,C,H,W] and, per convolution, "
                + "relevance/channels/<conv> [B,C] (relevance at the conv output, BatchNorm folded, summed over space); "
                + "for ViTs relevance/neurons/<mlp.0> and neurons_abs [B,N] (summed over tokens, of |R| per token) and "
                + "relevance/heads/<attention> and heads_abs [B,H] (summed over queries, of |.| per query).",
                "Composites: a preset (epsilon_gamma_box, epsilon_plus, epsilon_alpha2_beta1, epsilon, epsilon_plus_flat, ...) "
                        + "or a spec string such as first=zbox:-3:3,conv=gamma:0.25,linear=epsilon:1e-6 (docs/composites.md).",
                "Writes --out O.safetensors. --device: cpu by default. --batch: inputs explained together (32 by default), halved and "
                        + "retried when the device runs out of memory."})
final class ExplainCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin CommonOptions.TrainedModel model;
    @Mixin CommonOptions.Device device;
    @Mixin CommonOptions.Batch batch;
    @Mixin CommonOptions.Out out;
    @Mixin CommonOptions.Force force;

    @Option(names = "--input", required = true, paramLabel = "F.safetensors:KEY") String input;

    @Option(names = "--target", defaultValue = "argmax", paramLabel = "F.safetensors:KEY|argmax",
            description = "Class per sample whose logit is explained (default: ${DEFAULT-VALUE}, the predicted class).")
    String target;

    @Option(names = "--composite", required = true, paramLabel = "C") String composite;

    @Option(names = "--heatmap", paramLabel = "DIR", description = "Also write DIR/<i>.png: each input beside its relevance (red positive, blue negative).")
    Path heatmap;

    @Override
    public Integer call() throws Exception {
        ExplainRun.Result r = ExplainRun.run(new ExplainRun.Settings(model.arch(), model.weights, input, target, composite,
                device.or(ExplainRun.Settings.DEFAULT_DEVICE), batch.positive(ExplainRun.Settings.DEFAULT_BATCH),
                new ExplainRun.Output(out.out, heatmap, force.force)), new java.io.PrintStream(System.err, true));
        if (r.nonFiniteInputs() > 0) {
            spec.commandLine().getErr().println("explain: warning: the relevance of " + r.nonFiniteInputs() + " of " + r.inputs()
                    + " inputs is not finite (NaN or infinite): check the weights, the inputs and the composite's parameters");
        }
        return 0;
    }
}
