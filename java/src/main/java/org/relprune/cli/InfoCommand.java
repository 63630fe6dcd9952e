package org.relprune.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.relprune.io.WeightFiles;
import org.relprune.model.Graph;
import org.relprune.model.Node;
import org.relprune.model.ParamSpec;
import org.relprune.model.WeightCheck;
import org.relprune.model.zoo.ModelZoo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Prints an architecture's layers, parameter count and MACs/FLOPs as JSON. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = {"Print the layers, trainable parameter count and per-image MACs/FLOPs of an architecture as JSON.",
                "MACs count convolutions, linear maps and the attention products (QK^T, AV); flops = 2 x macs."})
final class InfoCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin CommonOptions.Arch arch;

    @Option(names = "--weights", paramLabel = "W", description = "Optional .safetensors file, checked against the architecture.")
    Path weights;

    @Override
    public Integer call() throws Exception {
        Graph g = ModelZoo.resolve(arch.arch);
        if (weights != null) {
            WeightCheck.check(g, WeightFiles.read(weights), weights.toString());
        }
        JsonObject o = new JsonObject();
        o.addProperty("architecture", g.name());
        o.add("input", dims(g.inputShape().dims()));
        o.addProperty("parameters", g.parameterCount());
        o.addProperty("macs", g.macs());
        o.addProperty("flops", 2 * g.macs());
        JsonArray layers = new JsonArray();
        for (Node n : g.nodes()) {
            if (n.index() == 0) {
                continue;
            }
            JsonObject l = new JsonObject();
            l.addProperty("name", n.name());
            l.addProperty("kind", n.layer().kind());
            l.add("output", dims(n.shape().dims()));
            long params = n.layer().params().stream().filter(ParamSpec::trainable).mapToLong(p -> p.shape().numel()).sum();
            l.addProperty("parameters", params);
            l.addProperty("macs", n.layer().macs(g.inputShapes(n)));
            layers.add(l);
        }
        o.add("layers", layers);
        spec.commandLine().getOut().println(new GsonBuilder().setPrettyPrinting().create().toJson(o));
        return 0;
    }

    private static JsonArray dims(long[] d) {
        JsonArray a = new JsonArray();
        for (long x : d) {
            a.add(x);
        }
        return a;
    }
}
