package org.relprune.model.zoo;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.relprune.model.Graph;

/**
 * Builds graphs from architecture configs (torchvision semantics and parameter names) and knows
 * the presets. An architecture is named on the command line by a preset name, an inline JSON
 * object, or a JSON file (whose top-level "architecture" field holds the config, if it has one).
 * A config may also name a preset and override some of its fields: {"preset":"resnet18","num_classes":10}.
 */
public final class ModelZoo {
    private static final Map<String, String> PRESETS = new LinkedHashMap<>();

    static {
        resnet("resnet18", "BasicBlock", "[2,2,2,2]");
        resnet("resnet34", "BasicBlock", "[3,4,6,3]");
        resnet("resnet50", "Bottleneck", "[3,4,6,3]");
        resnet("resnet101", "Bottleneck", "[3,4,23,3]");
        resnet("resnet152", "Bottleneck", "[3,8,36,3]");
        String[][] vgg = {{"vgg11", "A"}, {"vgg13", "B"}, {"vgg16", "D"}, {"vgg19", "E"}};
        for (String[] v : vgg) {
            PRESETS.put(v[0], "{\"family\":\"torchvision.VGG\",\"config\":\"" + v[1] + "\",\"batch_norm\":false,\"num_classes\":1000}");
            PRESETS.put(v[0] + "_bn", "{\"family\":\"torchvision.VGG\",\"config\":\"" + v[1] + "\",\"batch_norm\":true,\"num_classes\":1000}");
        }
        PRESETS.put("vit_b_16", vit(12, 12, 768, 3072));
        PRESETS.put("vit_l_16", vit(24, 16, 1024, 4096));
        PRESETS.put("lenet5", "{\"family\":\"lenet5\",\"num_classes\":10}");
        PRESETS.put("lenet300_100", "{\"family\":\"lenet300_100\",\"num_classes\":10}");
        PRESETS.put("resnet20", "{\"family\":\"cifar.ResNet\",\"block\":\"BasicBlock\",\"layers\":[3,3,3],\"width\":16,\"num_classes\":10}");
        PRESETS.put("resnet56", "{\"family\":\"cifar.ResNet\",\"block\":\"BasicBlock\",\"layers\":[9,9,9],\"width\":16,\"num_classes\":10}");
    }

    private ModelZoo() {
    }

    private static void resnet(String name, String block, String layers) {
        PRESETS.put(name, "{\"family\":\"torchvision.ResNet\",\"block\":\"" + block + "\",\"layers\":" + layers + ",\"width\":64,\"num_classes\":1000}");
    }

    private static String vit(int layers, int heads, int dim, int mlp) {
        return "{\"family\":\"torchvision.VisionTransformer\",\"image_size\":224,\"patch_size\":16,\"num_layers\":" + layers
                + ",\"num_heads\":" + heads + ",\"hidden_dim\":" + dim + ",\"mlp_dim\":" + mlp + ",\"num_classes\":1000}";
    }

    /** Preset names in a stable order. */
    public static Iterable<String> presets() {
        return PRESETS.keySet();
    }

    /** The config of a preset; throws naming the known presets. */
    public static JsonObject presetConfig(String name) {
        String json = PRESETS.get(name);
        if (json == null) {
            throw new ArchitectureException("unknown preset '" + name + "' (known: " + String.join(", ", PRESETS.keySet()) + ")");
        }
        return JsonParser.parseString(json).getAsJsonObject();
    }

    /** Resolves a command-line architecture argument: preset name, inline JSON object, or JSON file. */
    public static Graph resolve(String arg) {
        JsonObject config = readConfig(arg);
        try {
            return build(config, nameOf(arg));
        } catch (ArchitectureException e) {
            String text = arg.strip();
            boolean file = !PRESETS.containsKey(text) && !text.startsWith("{");
            throw file ? new ArchitectureException(text + ": " + e.getMessage(), e) : e;
        }
    }

    /** The full config (presets expanded) for a command-line architecture argument. */
    public static JsonObject resolveConfig(String arg) {
        return expand(readConfig(arg));
    }

    private static JsonObject readConfig(String arg) {
        String text = arg.strip();
        if (PRESETS.containsKey(text)) {
            return presetConfig(text);
        }
        if (text.startsWith("{")) {
            return parse(text, "inline architecture JSON");
        }
        Path file = Path.of(text);
        if (Files.isRegularFile(file)) {
            String content;
            try {
                content = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new ArchitectureException(file + ": cannot read architecture file: " + e.getMessage(), e);
            }
            JsonObject o = parse(content, file.toString());
            if (o.has("architecture")) {
                if (!o.get("architecture").isJsonObject()) {
                    throw new ArchitectureException(file + ": field 'architecture' must be a JSON object");
                }
                o = o.getAsJsonObject("architecture");
            }
            return o;
        }
        throw new ArchitectureException("unknown architecture '" + arg + "': not a preset (" + String.join(", ", PRESETS.keySet())
                + "), not a JSON object, and no such file");
    }

    /** Builds a graph from a config object (a "preset" field is expanded first). */
    public static Graph build(JsonObject config, String name) {
        JsonObject c = expand(config);
        String presetName = config.has("preset") ? config.get("preset").getAsString() : null;
        if (!c.has("family") || !c.get("family").isJsonPrimitive()) {
            throw new ArchitectureException("architecture config needs a \"family\" (torchvision.ResNet, torchvision.VGG, "
                    + "torchvision.VisionTransformer, cifar.ResNet, lenet5, lenet300_100, relprune.Pruned) or a \"preset\"");
        }
        String family = c.get("family").getAsString();
        String graphName = name != null ? name : presetName != null ? presetName : family;
        return switch (family) {
            case ResNetBuilder.TORCHVISION -> ResNetBuilder.build(graphName, c, false);
            case ResNetBuilder.CIFAR -> ResNetBuilder.build(graphName, c, true);
            case VggBuilder.FAMILY -> VggBuilder.build(graphName, c);
            case VisionTransformerBuilder.FAMILY -> VisionTransformerBuilder.build(graphName, c);
            case LeNetBuilder.LENET5 -> LeNetBuilder.lenet5(graphName, c);
            case LeNetBuilder.LENET300_100 -> LeNetBuilder.lenet300(graphName, c);
            case PrunedBuilder.FAMILY -> PrunedBuilder.build(graphName, c);
            default -> throw new ArchitectureException("architecture config: unknown family '" + family + "'");
        };
    }

    private static JsonObject expand(JsonObject config) {
        if (!config.has("preset")) {
            return config;
        }
        JsonElement p = config.get("preset");
        if (!p.isJsonPrimitive() || !p.getAsJsonPrimitive().isString()) {
            throw new ArchitectureException("architecture config: field 'preset' must be a preset name, got " + p);
        }
        JsonObject merged = presetConfig(p.getAsString());
        for (Map.Entry<String, JsonElement> e : config.entrySet()) {
            if (!e.getKey().equals("preset")) {
                if (e.getKey().equals("family")) {
                    throw new ArchitectureException("architecture config: give either 'preset' or 'family', not both");
                }
                merged.add(e.getKey(), e.getValue());
            }
        }
        return merged;
    }

    private static String nameOf(String arg) {
        String text = arg.strip();
        if (PRESETS.containsKey(text)) {
            return text;
        }
        return null;
    }

    private static JsonObject parse(String text, String source) {
        try {
            JsonElement e = JsonParser.parseString(text);
            if (!e.isJsonObject()) {
                throw new ArchitectureException(source + ": architecture must be a JSON object");
            }
            return e.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new ArchitectureException(source + ": invalid JSON: " + gsonDetail(e), e);
        }
    }

    /** Gson's message without the wrapped exception's class name, its advice to relax parsing and its link. */
    private static String gsonDetail(JsonParseException e) {
        Throwable t = e.getCause() != null && e.getCause().getMessage() != null ? e.getCause() : e;
        return String.valueOf(t.getMessage())
                .replace("Use JsonReader.setStrictness(Strictness.LENIENT) to accept malformed JSON", "malformed JSON")
                .replaceFirst("(?s)\\s*See https?://\\S+\\s*$", "");
    }
}
