package org.relprune.fuzz;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;
import org.relprune.lrp.composite.Composites;
import org.relprune.model.zoo.ModelZoo;

/**
 * Writes the committed seed inputs of the harnesses (small valid files of each format, in each
 * harness's input layout) into src/test/resources/org/relprune/fuzz/&lt;Harness&gt;Inputs/&lt;method&gt;/.
 * Run from the java/ module after a change of layout:
 * {@code java -cp target/test-classes:target/classes:<test classpath> org.relprune.fuzz.FuzzSeeds}.
 * The .pt seeds are the torch.save layouts of TorchCheckpointTest's Python fixtures and are not
 * written here. Findings (crash-*, timeout-* files) sit beside the seeds and are kept as they are.
 */
public final class FuzzSeeds {
    private static final Path ROOT = Path.of("src/test/resources/org/relprune/fuzz");

    private FuzzSeeds() {
    }

    public static void main(String[] args) throws IOException {
        safetensors();
        tensorDataset();
        idx();
        cifar();
        images();
        composites();
        architectures();
        searchSpaces();
    }

    private static void seed(String harness, String method, String name, byte[] bytes) throws IOException {
        Path dir = Files.createDirectories(ROOT.resolve(harness + "Inputs").resolve(method));
        Files.write(dir.resolve("seed-" + name), bytes);
    }

    private static void seed(String harness, String method, String name, String text) throws IOException {
        seed(harness, method, name, text.getBytes(StandardCharsets.UTF_8));
    }

    // ---- safetensors ------------------------------------------------------------------------

    /** A safetensors file from a header JSON and the data section. */
    static byte[] safetensors(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(h.length).put(h).put(data).array();
    }

    private static byte[] le(int bytes, java.util.function.Consumer<ByteBuffer> fill) {
        ByteBuffer b = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        fill.accept(b);
        return b.array();
    }

    private static void safetensors() throws IOException {
        String h = "SafetensorsReaderFuzzTest";
        seed(h, "open", "f32-i64-metadata", safetensors(
                "{\"__metadata__\":{\"format\":\"pt\"},\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
                        + "\"y\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[24,40]}}",
                le(40, b -> {
                    for (int i = 0; i < 6; i++) {
                        b.putFloat(i - 2.5f);
                    }
                    b.putLong(7).putLong(-8);
                })));
        seed(h, "open", "all-dtypes", safetensors(
                "{\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},"
                        + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[4,8]},"
                        + "\"c\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[8,16]},"
                        + "\"d\":{\"dtype\":\"I32\",\"shape\":[1,1],\"data_offsets\":[16,20]},"
                        + "\"e\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[20,22]},"
                        + "\"f\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[22,24]},"
                        + "\"z\":{\"dtype\":\"F32\",\"shape\":[0,5],\"data_offsets\":[24,24]}}",
                le(24, b -> b.putShort((short) 0x3c00).putShort((short) 0xfbff).putShort((short) 0x3f80)
                        .putShort((short) 0x7f80).putDouble(Math.PI).putInt(-3).put((byte) 255).put((byte) 0)
                        .put((byte) 1).put((byte) 2))));
        seed(h, "open", "empty", safetensors("{}", new byte[0]));
        seed(h, "open", "scalar-padded", safetensors("{\"s\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}   ",
                le(4, b -> b.putFloat(1f))));
    }

    private static void tensorDataset() throws IOException {
        String h = "TensorDatasetFuzzTest";
        byte[] pixels = le(32, b -> {
            for (int i = 0; i < 8; i++) {
                b.putFloat(i / 8f - 0.5f);
            }
        });
        seed(h, "read", "i64-labels-names", safetensors(
                "{\"__metadata__\":{\"num_classes\":\"3\",\"class_names\":\"[\\\"cat\\\",\\\"dog\\\",\\\"owl\\\"]\"},"
                        + "\"images\":{\"dtype\":\"F32\",\"shape\":[2,1,2,2],\"data_offsets\":[0,32]},"
                        + "\"labels\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[32,48]}}",
                concat(pixels, le(16, b -> b.putLong(2).putLong(0)))));
        seed(h, "read", "f32-labels", safetensors(
                "{\"images\":{\"dtype\":\"F32\",\"shape\":[2,1,2,2],\"data_offsets\":[0,32]},"
                        + "\"labels\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[32,40]}}",
                concat(pixels, le(8, b -> b.putFloat(1f).putFloat(0f)))));
        seed(h, "read", "f16-u8", safetensors(
                "{\"labels\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
                        + "\"images\":{\"dtype\":\"F16\",\"shape\":[1,3,1,1],\"data_offsets\":[1,7]}}",
                le(7, b -> b.put((byte) 4).putShort((short) 0x3c00).putShort((short) 0).putShort((short) 0xbc00))));
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    // ---- IDX, CIFAR ---------------------------------------------------------------------------

    private static byte[] idxFile(int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.putInt(0x0800 | dims.length);
        for (int d : dims) {
            b.putInt(d);
        }
        return b.put(data).array();
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    /** The IDX harness layout: flags, u16 labels length, labels file, images file. */
    private static byte[] idxInput(int flags, byte[] labels, byte[] images) {
        return concat(new byte[] {(byte) flags, (byte) (labels.length >> 8), (byte) labels.length}, labels, images);
    }

    private static void idx() throws IOException {
        String h = "IdxDatasetFuzzTest";
        byte[] labels = idxFile(new int[] {3}, new byte[] {0, 9, 4});
        byte[] images = idxFile(new int[] {3, 2, 2}, new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, (byte) 255});
        seed(h, "read", "plain", idxInput(0, labels, images));
        seed(h, "read", "dot-names", idxInput(1, labels, images));
        seed(h, "read", "gzip", idxInput(2, gzip(labels), gzip(images)));
        seed(h, "read", "gzip-content-plain-name", idxInput(0, labels, gzip(images)));
    }

    private static byte[] cifarRecords(int labelBytes, int... labels) {
        int records = labels.length / labelBytes;
        ByteBuffer b = ByteBuffer.allocate(records * (labelBytes + 3072));
        for (int r = 0; r < records; r++) {
            for (int l = 0; l < labelBytes; l++) {
                b.put((byte) labels[r * labelBytes + l]);
            }
            for (int k = 0; k < 3072; k++) {
                b.put((byte) (k * 7 + r * 31));
            }
        }
        return b.array();
    }

    private static byte[] cifarInput(int flags, String names, byte[] records) {
        byte[] n = names.getBytes(StandardCharsets.UTF_8);
        return concat(new byte[] {(byte) flags, (byte) (n.length >> 8), (byte) n.length}, n, records);
    }

    private static void cifar() throws IOException {
        String h = "CifarDatasetFuzzTest";
        List<String> ten = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ten.add("class" + i);
        }
        List<String> hundred = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            hundred.add("c" + i);
        }
        seed(h, "read", "cifar10-one-record", cifarInput(0, "", cifarRecords(1, 3)));
        seed(h, "read", "cifar10-names-folder", cifarInput(2 | 4, String.join("\n", ten) + "\n", cifarRecords(1, 9, 0)));
        seed(h, "read", "cifar100", cifarInput(1, "", cifarRecords(2, 19, 99)));
        seed(h, "read", "cifar100-names", cifarInput(1 | 2, String.join("\n", hundred), cifarRecords(2, 0, 5)));
    }

    // ---- images -----------------------------------------------------------------------------

    private static byte[] encode(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(image, format, out)) {
            throw new IOException("no " + format + " writer for " + image);
        }
        return out.toByteArray();
    }

    private static BufferedImage pattern(int type, int w, int h) {
        BufferedImage image = new BufferedImage(w, h, type);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, 0xff000000 | (x * 40) << 16 | (y * 50) << 8 | ((x + y) * 20));
            }
        }
        return image;
    }

    private static void images() throws IOException {
        String h = "ImageFolderFuzzTest";
        byte png = 0;
        byte jpg = 1;
        seed(h, "read", "rgb.png", concat(new byte[] {png}, encode(pattern(BufferedImage.TYPE_INT_RGB, 5, 4), "png")));
        seed(h, "read", "rgba.png", concat(new byte[] {png}, encode(pattern(BufferedImage.TYPE_INT_ARGB, 3, 3), "png")));
        seed(h, "read", "gray.png", concat(new byte[] {png}, encode(pattern(BufferedImage.TYPE_BYTE_GRAY, 4, 6), "png")));
        seed(h, "read", "gray16.png", concat(new byte[] {png}, encode(pattern(BufferedImage.TYPE_USHORT_GRAY, 2, 2), "png")));
        seed(h, "read", "palette.png", concat(new byte[] {png}, encode(pattern(BufferedImage.TYPE_BYTE_INDEXED, 4, 4), "png")));
        seed(h, "read", "binary.png", concat(new byte[] {png}, encode(pattern(BufferedImage.TYPE_BYTE_BINARY, 9, 2), "png")));
        seed(h, "read", "rgb.jpg", concat(new byte[] {jpg}, encode(pattern(BufferedImage.TYPE_INT_RGB, 8, 8), "jpg")));
        seed(h, "read", "gray.jpg", concat(new byte[] {jpg}, encode(pattern(BufferedImage.TYPE_BYTE_GRAY, 9, 7), "jpg")));
    }

    // ---- text parsers -----------------------------------------------------------------------

    private static void composites() throws IOException {
        String h = "CompositeSpecFuzzTest";
        int i = 0;
        for (var e : Composites.presets().entrySet()) {
            seed(h, "parse", "preset-" + e.getKey(), e.getKey());
            seed(h, "parse", "spec-" + e.getKey(), e.getValue());
        }
        String[] specs = {
            "low=alphabeta:2:1,mid=gamma:0.1,high=epsilon:0.25,fc=epsilon:1e-6,attention=cp",
            "first=zbox:-3:3,conv=flat,linear=wsquare",
            "conv=alphabeta:1.5,linear=epsilon",
            " conv = gamma:+.5 , linear=epsilon:1E-9 ",
            "attention=attnlrp,conv=epsilon:0,linear=zplus",
        };
        for (String s : specs) {
            seed(h, "parse", "custom-" + i++, s);
        }
    }

    private static void architectures() throws IOException {
        String h = "ArchitectureConfigFuzzTest";
        seed(h, "resolve", "preset-lenet5", "lenet5");
        seed(h, "resolve", "preset-resnet20", "resnet20");
        seed(h, "resolve", "lenet5-input", "{\"preset\":\"lenet5\",\"num_classes\":25,\"input\":[3,32,32]}");
        seed(h, "resolve", "lenet300", "{\"family\":\"lenet300_100\",\"input\":[1,8,8]}");
        seed(h, "resolve", "cifar-resnet", "{\"family\":\"cifar.ResNet\",\"block\":\"Bottleneck\",\"layers\":[1,1,1],\"width\":4,\"num_classes\":7}");
        seed(h, "resolve", "torchvision-resnet", "{\"family\":\"torchvision.ResNet\",\"block\":\"BasicBlock\",\"layers\":[1,1,1,1],\"width\":8,\"input\":[3,64,64]}");
        seed(h, "resolve", "vgg", "{\"family\":\"torchvision.VGG\",\"config\":\"A\",\"batch_norm\":true,\"width\":8,\"classifier_width\":32,"
                + "\"avgpool\":1,\"max_pools\":4,\"input\":[1,28,28],\"num_classes\":10}");
        seed(h, "resolve", "vit", "{\"family\":\"torchvision.VisionTransformer\",\"image_size\":32,\"patch_size\":8,\"num_layers\":2,"
                + "\"num_heads\":2,\"hidden_dim\":16,\"mlp_dim\":32,\"num_classes\":10}");
        seed(h, "resolve", "pruned", "{\"family\":\"relprune.Pruned\",\"base\":{\"preset\":\"resnet20\"},"
                + "\"widths\":{\"conv1\":8,\"layer1.0.conv1\":5,\"fc\":10}}");
        seed(h, "resolve", "pruned-vit", "{\"family\":\"relprune.Pruned\",\"base\":{\"family\":\"torchvision.VisionTransformer\","
                + "\"image_size\":16,\"patch_size\":8,\"num_layers\":1,\"num_heads\":4,\"hidden_dim\":16,\"mlp_dim\":8},"
                + "\"widths\":{\"encoder.layers.encoder_layer_0.self_attention.attention\":2,\"encoder.layers.encoder_layer_0.mlp.0\":3}}");
        seed(h, "resolve", "file-architecture-field", "@{\"name\":\"run\",\"architecture\":{\"preset\":\"lenet5\",\"num_classes\":3}}");
        seed(h, "resolve", "file-plain", "@{\"family\":\"lenet5\"}");
        for (String p : ModelZoo.presets()) {
            if (p.startsWith("vgg1") || p.startsWith("resnet1") || p.startsWith("vit")) {
                continue; // the big ones: slow to build for every mutation
            }
            seed(h, "resolve", "preset-" + p, p);
        }
    }

    private static void searchSpaces() throws IOException {
        String h = "SearchSpaceFuzzTest";
        seed(h, "read", "full", "{\"groups\":[\"low\",\"mid\",\"high\",\"fc\"],\"rules\":[\"epsilon\",\"gamma\",\"zplus\",\"alphabeta\"],"
                + "\"attention\":[\"cp\",\"attnlrp\"],\"signed\":[false,true],\"epsilon\":[1e-9,1],\"gamma\":[1e-4,10],\"alpha\":[1,4]}");
        seed(h, "read", "partial", "{\"rules\":[\"Gamma\",\"alphabeta\"],\"gamma\":[0.01,0.5],\"alpha\":[2,2]}");
        seed(h, "read", "empty", "{}");
        seed(h, "read", "groups", "{\"groups\":[\"fc\"],\"signed\":[true]}");
    }
}
