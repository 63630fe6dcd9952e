package org.relprune.cli;

import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options several commands share, as picocli mixins: each is declared once, so its name,
 * label and help read the same in every command. Where the default differs by command
 * (--device, --batch), the mixin holds null for "not given" and the command names its default.
 */
final class CommonOptions {
    private CommonOptions() {
    }

    /** --arch: the architecture. */
    static final class Arch {
        @Option(names = "--arch", required = true, paramLabel = "A", description = "Preset name (e.g. resnet50), inline JSON config, or JSON file.")
        String arch;
    }

    /** --arch and --weights: a trained model. */
    static final class TrainedModel {
        @Mixin
        Arch arch;

        @Option(names = "--weights", required = true, paramLabel = "W",
                description = "Weights (.safetensors with torchvision names, or a PyTorch .pt state dict); a sidecar W's .json beside them "
                        + "gives the model's split and normalization.")
        Path weights;

        String arch() {
            return arch.arch;
        }
    }

    /** --data: a dataset. */
    static final class Data {
        @Option(names = "--data", required = true, paramLabel = "D", description = "IDX folder, CIFAR .bin file/folder, ImageFolder, or tensor .safetensors.")
        Path data;
    }

    /** --device; null when not given (each command has its default). */
    static final class Device {
        @Option(names = "--device", paramLabel = "cpu|cuda|auto", description = "Where the model runs (default: see the command's description).")
        String device;

        String or(String fallback) {
            return device != null ? device : fallback;
        }
    }

    /** --batch; null when not given (each command has its default). */
    static final class Batch {
        @Option(names = "--batch", paramLabel = "B", description = "Images per pass (default: see the command's description).")
        Integer batch;

        int or(int fallback) {
            return batch != null ? batch : fallback;
        }

        /** The batch given or {@code fallback}, refused below 1. */
        int positive(int fallback) {
            int b = or(fallback);
            if (b < 1) {
                throw new IllegalArgumentException("--batch must be at least 1, got " + b);
            }
            return b;
        }
    }

    /** --out: where the command writes. */
    static final class Out {
        @Option(names = "--out", required = true, paramLabel = "OUT", description = "Output folder, file or prefix (see the command's description).")
        Path out;
    }

    /** --force: replace existing outputs. */
    static final class Force {
        @Option(names = "--force", description = "Replace existing outputs.")
        boolean force;
    }

    /** --seed. */
    static final class Seed {
        @Option(names = "--seed", defaultValue = "0", paramLabel = "S",
                description = "Seed of everything random the command does: sampling, initialization, strategies (default: ${DEFAULT-VALUE}).")
        long seed;
    }
}
