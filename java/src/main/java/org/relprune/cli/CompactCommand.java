package org.relprune.cli;

import com.google.gson.GsonBuilder;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.relprune.run.CompactRun;
import org.relprune.run.CompactSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Removes the channels a coupled pruning run prunes at one rate and writes the smaller model. */
@Command(name = "compact", mixinStandardHelpOptions = true,
        description = {"Physically remove the channels that a 'prune --grouping coupled' run (DIR) prunes at rate R, respecting the "
                + "coupled groups, and write M.safetensors and M.json (an architecture config the zoo loads, family relprune.Pruned, "
                + "with the new widths; also the model's split and normalization, so 'eval --arch M.json --weights M.safetensors' works) "
                + "and M.onnx (opset 17) for --out M. Conv channels need a 'prune --grouping coupled' run; ViT neurons, heads and hidden "
                + "linear neurons any run. --force replaces existing M.safetensors / M.json / M.onnx.",
                "Prints parameters, FLOPs and CPU latency (batch 1) before and after as JSON."})
final class CompactCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin CommonOptions.Out out;
    @Mixin CommonOptions.Force force;

    @Option(names = "--from", required = true, paramLabel = "DIR", description = "Output folder of 'relprune prune --grouping coupled'.")
    Path from;

    @Option(names = "--rate", required = true, paramLabel = "R", description = "Pruning rate in [0, 1), e.g. 0.3.") String rate;

    @Option(names = "--latency-runs", defaultValue = "" + CompactSettings.DEFAULT_LATENCY_RUNS, paramLabel = "N",
            description = "Timed forward passes per model (default: ${DEFAULT-VALUE}).")
    int latencyRuns;

    @Override
    public Integer call() throws Exception {
        CompactRun.Result r = CompactRun.run(new CompactSettings(from, rate, out.out.toString(), latencyRuns, force.force));
        spec.commandLine().getOut().println(new GsonBuilder().setPrettyPrinting().create().toJson(r.report()));
        spec.commandLine().getErr().println("wrote " + r.weights() + ", " + r.sidecar() + " and " + r.onnx());
        return 0;
    }
}
