package org.relprune.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.relprune.backend.Backend;
import org.relprune.backend.Backends;
import org.relprune.io.TensorRef;
import org.relprune.io.WeightFiles;
import org.relprune.io.safetensors.SafetensorsWriter;
import org.relprune.model.Graph;
import org.relprune.model.Model;
import org.relprune.model.zoo.ModelZoo;
import org.relprune.tensor.HostTensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Runs a model on a tensor of inputs and writes the logits. */
@Command(name = "forward", mixinStandardHelpOptions = true,
        description = "Run a model on inputs [N,C,H,W] from a safetensors file and write the logits [N,classes] as 'logits'.")
final class ForwardCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--arch", required = true, paramLabel = "A", description = "Preset name, inline JSON config, or JSON file.")
    String arch;

    @Option(names = "--weights", required = true, paramLabel = "W", description = "Weights (.safetensors, torchvision names).")
    Path weights;

    @Option(names = "--input", required = true, paramLabel = "F.safetensors:KEY", description = "Input tensor [N,C,H,W], already normalized.")
    String input;

    @Option(names = "--out", required = true, paramLabel = "O.safetensors", description = "Output file; holds 'logits'.")
    Path out;

    @Option(names = "--device", defaultValue = "auto", paramLabel = "cpu|cuda|auto",
            description = "Where to run (default: ${DEFAULT-VALUE}: CUDA when it loads, else CPU).")
    String device;

    @Option(names = "--batch", defaultValue = "64", paramLabel = "B", description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--force", description = "Replace an existing output file.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        if (Files.exists(out) && !force) {
            throw new IllegalArgumentException(out + " exists; pass --force to replace it");
        }
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be at least 1, got " + batch);
        }
        Graph graph = ModelZoo.resolve(arch);
        Map<String, HostTensor> w = WeightFiles.read(weights);
        HostTensor x = TensorRef.parse(input).read();
        try (Backend backend = Backends.open(device, new java.io.PrintStream(System.err, true));
             Model model = Model.load(graph, w, backend)) {
            HostTensor logits = Inference.logits(model, x, batch, "forward");
            SafetensorsWriter.write(out, Map.of("logits", logits), Map.of("architecture", graph.name(), "device", backend.description()));
        }
        return 0;
    }
}
