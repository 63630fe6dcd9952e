package org.relprune.cli;

import java.util.concurrent.Callable;
import org.relprune.run.ForwardRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Runs a model on a tensor of inputs and writes the logits. */
@Command(name = "forward", mixinStandardHelpOptions = true,
        description = {"Run a model on inputs [N,C,H,W] from a safetensors file and write the logits [N,classes] as 'logits' into --out O.safetensors.",
                "--device: auto by default (CUDA when it loads, else CPU). --batch: 64 images per forward pass by default."})
final class ForwardCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin CommonOptions.TrainedModel model;
    @Mixin CommonOptions.Device device;
    @Mixin CommonOptions.Batch batch;
    @Mixin CommonOptions.Out out;
    @Mixin CommonOptions.Force force;

    @Option(names = "--input", required = true, paramLabel = "F.safetensors:KEY", description = "Input tensor [N,C,H,W], already normalized.")
    String input;

    @Override
    public Integer call() throws Exception {
        ForwardRun.Result r;
        try (ConsoleMonitor monitor = new ConsoleMonitor(new java.io.PrintWriter(spec.commandLine().getErr(), true))) {
            r = ForwardRun.run(new ForwardRun.Settings(model.arch(), model.weights, input, device.or(ForwardRun.Settings.DEFAULT_DEVICE),
                    batch.positive(ForwardRun.Settings.DEFAULT_BATCH), out.out, force.force), monitor);
        }
        if (r.nonFiniteRows() > 0) {
            spec.commandLine().getErr().println("forward: warning: " + r.nonFiniteRows() + " of " + r.logits().shape().dim(0) + " inputs have "
                    + "logits that are not finite (NaN or infinite): check the weights (a diverged training?) and the inputs");
        }
        return 0;
    }
}
