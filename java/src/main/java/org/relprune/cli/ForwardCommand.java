package org.relprune.cli;

import java.util.Map;
import java.util.concurrent.Callable;
import org.relprune.backend.Backend;
import org.relprune.io.TensorRef;
import org.relprune.io.WeightFiles;
import org.relprune.io.safetensors.SafetensorsWriter;
import org.relprune.model.Graph;
import org.relprune.model.Model;
import org.relprune.model.zoo.ModelZoo;
import org.relprune.run.Backends;
import org.relprune.run.OutputLocation;
import org.relprune.tensor.HostTensor;
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
        OutputLocation.file(out.out, "--out", force.force);
        int b = batch.positive(64);
        Graph graph = ModelZoo.resolve(model.arch());
        Map<String, HostTensor> w = WeightFiles.read(model.weights);
        HostTensor x = TensorRef.parse(input).read();
        try (Backend backend = Backends.open(device.or("auto"), new java.io.PrintStream(System.err, true));
             Model loaded = Model.load(graph, w, backend)) {
            HostTensor logits = Inference.logits(loaded, x, b, "forward");
            NonFiniteWarning.logits(spec.commandLine().getErr(), "forward", logits);
            SafetensorsWriter.write(out.out, Map.of("logits", logits), Map.of("architecture", graph.name(), "device", backend.description()));
        }
        return 0;
    }
}
