package org.relprune.io.pytorch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.pytorch.CompilationUnit;
import org.bytedeco.pytorch.GenericDict;
import org.bytedeco.pytorch.GenericDictEntryRef;
import org.bytedeco.pytorch.GenericDictIterator;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.QualifiedName;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relprune.io.WeightFiles;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Shape;

/**
 * {@link TorchCheckpoint} against checkpoints written by libtorch's {@code torch::pickle_save}
 * (the writer behind Python's {@code torch.save}, so the same zip container and pickle dialect)
 * and against a byte-exact Python {@code torch.save(model.state_dict())} layout built here, whose
 * {@code data.pkl} is what CPython's pickler emits for a state dict (see {@link #PY_ORDERED_PKL}).
 */
class TorchCheckpointTest {
    @TempDir
    Path dir;

    // ---- libtorch as the writer -------------------------------------------------------------

    /** TorchScript helpers: the presets expose no GenericDict insert, so dicts are built here. */
    private static final CompilationUnit SCRIPT = torch.compile(String.join("\n",
            // An empty dict literal ends up one shared object across calls; this one is fresh.
            "def empty(k: str, v: Tensor) -> Dict[str, Tensor]:",
            "    d = {k: v}",
            "    d.clear()",
            "    return d",
            "def put(d: Dict[str, Tensor], k: str, v: Tensor) -> Dict[str, Tensor]:",
            "    d[k] = v",
            "    return d",
            "def wrap(k: str, d: Dict[str, Tensor]) -> Dict[str, Dict[str, Tensor]]:",
            "    return {k: d}",
            "def checkpoint(epoch: int, d: Dict[str, Tensor]) -> Dict[str, Any]:",
            "    c: Dict[str, Any] = {}",
            "    c['epoch'] = epoch",
            "    c['model'] = d",
            "    c['optimizer'] = {'lr': 0.1}",
            "    return c",
            "def mixed(t: Tensor) -> Dict[str, Any]:",
            "    c: Dict[str, Any] = {}",
            "    c['a.weight'] = t",
            "    c['a.scale'] = 3",
            "    return c",
            ""));

    private static IValue call(String function, IValue... args) {
        return SCRIPT.get_function(new QualifiedName(function)).apply(new IValueVector(args));
    }

    private static IValue emptyDict() {
        return call("empty", new IValue(""), new IValue(torch.ones(1)));
    }

    /** A libtorch Dict[str, Tensor] in the given order. */
    private static IValue dict(Map<String, Tensor> tensors) {
        IValue d = emptyDict();
        tensors.forEach((k, t) -> call("put", d, new IValue(k), new IValue(t)));
        return d;
    }

    private Path pickleSave(String name, IValue value) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, torch.pickle_save(value).get());
        return file;
    }

    private static Tensor floats(float[] values, long... shape) {
        return torch.tensor(values).reshape(shape).clone();
    }

    private static Tensor doubles(double... values) {
        DoublePointer p = new DoublePointer(values);
        return torch.from_blob(p, new long[] {values.length}, new TensorOptions(torch.ScalarType.Double)).clone();
    }

    private static float[] iota(int n, float scale, float shift) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i * scale + shift;
        }
        return v;
    }

    /** Name -> tensor of every dtype and layout the reader handles, with the values it must return. */
    private static final class Fixture {
        final Map<String, Tensor> tensors = new LinkedHashMap<>();
        final Map<String, HostTensor> expected = new LinkedHashMap<>();

        void add(String name, Tensor t, float[] values, long... shape) {
            tensors.put(name, t);
            expected.put(name, new HostTensor(Shape.of(shape), values));
        }
    }

    private static Fixture fixture() {
        Fixture f = new Fixture();
        float[] conv = iota(2 * 3 * 2 * 2, 0.25f, -3f);
        f.add("conv1.weight", floats(conv, 2, 3, 2, 2), conv, 2, 3, 2, 2);
        double[] d = {0.1, -1.0 / 3.0, 1e-50, 123456.789};
        f.add("bn1.running_var", doubles(d), new float[] {(float) 0.1, (float) (-1.0 / 3.0), (float) 1e-50, (float) 123456.789}, 4);
        f.add("bn1.num_batches_tracked", torch.tensor(123456789L).reshape(new long[0]).clone(), new float[] {(float) 123456789L});
        f.add("ids", torch.tensor(-5L, 0L, 1L << 40), new float[] {-5f, 0f, (float) (1L << 40)}, 3);
        float[] half = {0.5f, -1.25f, 65504f, 0x1p-14f, 0x1p-24f, -0f};
        f.add("fc.weight", floats(half, 2, 3).to(torch.ScalarType.Half), half, 2, 3);
        float[] bf = {1.5f, -0.0078125f, 0x1p100f, -2f};
        f.add("fc.bias", floats(bf, 4).to(torch.ScalarType.BFloat16), bf, 4);
        f.add("mask", torch.tensor(1L, 0L, 1L).to(torch.ScalarType.Bool), new float[] {1f, 0f, 1f}, 3);
        f.add("pixels", torch.tensor(0L, 200L, 255L).to(torch.ScalarType.Byte), new float[] {0f, 200f, 255f}, 3);
        // Views: pickle_save keeps the storage, offset and strides, as torch.save does.
        float[] base = iota(12, 1f, 0f);
        Tensor grid = floats(base, 3, 4);
        f.add("proj.weight_t", grid.t(), new float[] {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}, 4, 3);
        f.add("proj.rows", grid.narrow(0, 1, 2), new float[] {4, 5, 6, 7, 8, 9, 10, 11}, 2, 4);
        f.add("proj.weight", grid, base, 3, 4);
        f.add("empty", torch.zeros(0, 3), new float[0], 0, 3);
        return f;
    }

    private static void assertSameTensors(Map<String, HostTensor> expected, Map<String, HostTensor> actual) {
        assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(actual.keySet()), "names in file order");
        expected.forEach((name, e) -> {
            HostTensor a = actual.get(name);
            assertEquals(e.shape(), a.shape(), name + " shape");
            assertArrayEquals(e.data(), a.data(), 0f, name + " values");
        });
    }

    /** What libtorch itself reads from a file it can read (a plain dict), as float32. */
    private static Map<String, HostTensor> libtorchRead(Path file) throws IOException {
        IValue v = torch.pickle_load(new org.bytedeco.pytorch.ByteVector(Files.readAllBytes(file)));
        GenericDict d = v.toGenericDict();
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (GenericDictIterator it = d.begin(); !it.equals(d.end()); it.increment()) {
            GenericDictEntryRef e = it.access();
            Tensor t = e.value().toTensor().to(torch.ScalarType.Float).contiguous();
            long[] shape = new long[(int) t.dim()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = t.size(i);
            }
            float[] values = new float[(int) t.numel()];
            if (values.length > 0) {
                t.data_ptr_float().get(values);
            }
            out.put(e.key().toStringRef().getString(), new HostTensor(Shape.of(shape), values));
        }
        return out;
    }

    @Test
    void readsLibtorchWrittenStateDictExactlyInOrder() throws IOException {
        Fixture f = fixture();
        Path file = pickleSave("model.pt", dict(f.tensors));
        Map<String, HostTensor> read = TorchCheckpoint.readStateDict(file);
        assertSameTensors(f.expected, read);
        assertTrue(read instanceof LinkedHashMap);
        // The same values libtorch's own reader gets.
        assertSameTensors(libtorchRead(file), read);
    }

    @Test
    void readsNestedStateDictOfTrainingCheckpoints() throws IOException {
        Fixture f = fixture();
        Path nested = pickleSave("nested.pth", call("wrap", new IValue("state_dict"), dict(f.tensors)));
        assertSameTensors(f.expected, TorchCheckpoint.readStateDict(nested));
        Path ckpt = pickleSave("ckpt.pt", call("checkpoint", new IValue(3L), dict(f.tensors)));
        assertSameTensors(f.expected, TorchCheckpoint.readStateDict(ckpt));
    }

    @Test
    void weightFilesDispatchesPtAndPth() throws IOException {
        Fixture f = fixture();
        Path pt = pickleSave("w.pt", dict(f.tensors));
        Path pth = Files.copy(pt, dir.resolve("w.pth"));
        assertSameTensors(f.expected, WeightFiles.read(pt));
        assertSameTensors(f.expected, WeightFiles.read(pth));
        Path bin = Files.copy(pt, dir.resolve("w.bin"));
        IOException e = assertThrows(IOException.class, () -> WeightFiles.read(bin));
        assertTrue(e.getMessage().contains(".safetensors") && e.getMessage().contains(".pt"), e.getMessage());
    }

    // ---- Python's torch.save layout, built byte by byte -------------------------------------

    /**
     * {@code data.pkl} of {@code torch.save(sd, f)} for the state dict below, as CPython 3's
     * pickler writes it at torch.save's protocol 2: {@code sd} an {@code OrderedDict} (what
     * {@code model.state_dict()} returns) with the usual {@code _metadata} attribute, each tensor
     * {@code torch._utils._rebuild_tensor_v2(storage, 0, size, stride, False, OrderedDict())}
     * and each storage the persistent id {@code ('storage', torch.<T>Storage, key, 'cpu', numel)}
     * (both exactly as torch.Tensor._reduce_ex_internal and torch.serialization._save make them).
     * Generated with CPython's {@code pickle.Pickler(buf, protocol=2)} with a persistent_id and
     * stand-ins for torch._utils._rebuild_tensor_v2 and the storage classes:
     * <pre>
     * conv1.weight            storage 0 FloatStorage  24  size (2, 3, 2, 2) stride (12, 4, 2, 1)
     * bn1.weight              storage 1 FloatStorage   2  size (2,)         stride (1,)
     * bn1.running_mean        storage 2 FloatStorage   2  size (2,)         stride (1,)
     * bn1.num_batches_tracked storage 3 LongStorage    1  size ()           stride ()
     * fc.weight               storage 4 HalfStorage    6  size (2, 3)       stride (3, 1)
     * fc.bias                 storage 5 DoubleStorage  2  size (2,)         stride (1,)
     * head.weight             storage 4 (tied to fc.weight)
     * _metadata = OrderedDict([('', {'version': 1}), ('conv1', {'version': 1}),
     *                          ('bn1', {'version': 2}), ('fc', {'version': 1})])
     * </pre>
     */
    static final String PY_ORDERED_PKL =
            "800263636f6c6c656374696f6e730a4f726465726564446963740a71002952710128580c000000636f6e76312e776569"
            + "676874710263746f7263682e5f7574696c730a5f72656275696c645f74656e736f725f76320a71032828580700000073"
            + "746f72616765710463746f7263680a466c6f617453746f726167650a7105580100000030710658030000006370757107"
            + "4b18747108514b00284b024b034b024b02747109284b0c4b044b024b0174710a8968002952710b74710c52710d580a00"
            + "0000626e312e776569676874710e6803282868046805580100000031710f68074b02747110514b004b028571114b0185"
            + "7112896800295271137471145271155810000000626e312e72756e6e696e675f6d65616e711668032828680468055801"
            + "00000032711768074b02747118514b00681168128968002952711974711a52711b5817000000626e312e6e756d5f6261"
            + "74636865735f747261636b6564711c68032828680463746f7263680a4c6f6e6753746f726167650a711d580100000033"
            + "711e68074b0174711f514b00292989680029527120747121527122580900000066632e77656967687471236803282868"
            + "0463746f7263680a48616c6653746f726167650a7124580100000034712568074b06747126514b004b024b038671274b"
            + "034b018671288968002952712974712a52712b580700000066632e62696173712c68032828680463746f7263680a446f"
            + "75626c6553746f726167650a712d580100000035712e68074b0274712f514b0068116812896800295271307471315271"
            + "32580b000000686561642e77656967687471336803282868046824682568074b06747134514b00682768288968002952"
            + "7135747136527137757d713858090000005f6d65746164617461713968002952713a285800000000713b7d713c580700"
            + "000076657273696f6e713d4b01735805000000636f6e7631713e7d713f683d4b01735803000000626e3171407d714168"
            + "3d4b02735802000000666371427d7143683d4b01737573622e";

    /** The same, saved as {@code torch.save(dict(sd), f)}: a plain dict, which libtorch can read too. */
    static final String PY_PLAIN_PKL =
            "80027d710028580c000000636f6e76312e776569676874710163746f7263682e5f7574696c730a5f72656275696c645f"
            + "74656e736f725f76320a71022828580700000073746f72616765710363746f7263680a466c6f617453746f726167650a"
            + "71045801000000307105580300000063707571064b18747107514b00284b024b034b024b02747108284b0c4b044b024b"
            + "017471098963636f6c6c656374696f6e730a4f726465726564446963740a710a2952710b74710c52710d580a00000062"
            + "6e312e776569676874710e6802282868036804580100000031710f68064b02747110514b004b028571114b0185711289"
            + "680a295271137471145271155810000000626e312e72756e6e696e675f6d65616e711668022828680368045801000000"
            + "32711768064b02747118514b006811681289680a2952711974711a52711b5817000000626e312e6e756d5f6261746368"
            + "65735f747261636b6564711c68022828680363746f7263680a4c6f6e6753746f726167650a711d580100000033711e68"
            + "064b0174711f514b00292989680a29527120747121527122580900000066632e77656967687471236802282868036374"
            + "6f7263680a48616c6653746f726167650a7124580100000034712568064b06747126514b004b024b038671274b034b01"
            + "86712889680a2952712974712a52712b580700000066632e62696173712c68022828680363746f7263680a446f75626c"
            + "6553746f726167650a712d580100000035712e68064b0274712f514b006811681289680a29527130747131527132580b"
            + "000000686561642e77656967687471336802282868036824682568064b06747134514b006827682889680a2952713574"
            + "7136527137752e";

    private static final float[] PY_CONV = iota(24, 0.25f, -3f);
    private static final float[] PY_BN_WEIGHT = {1f, 0.5f};
    private static final float[] PY_BN_MEAN = {-0.125f, 2f};
    private static final long PY_BATCHES = 12345L;
    private static final float[] PY_FC_WEIGHT = {0.5f, -1.25f, 65504f, 0x1p-14f, 0x1p-24f, -0f};
    private static final double[] PY_FC_BIAS = {0.1, -1.0 / 3.0};

    /** The storage records: raw little-endian elements, as torch.save writes them. */
    private static Map<String, byte[]> pyStorages() {
        Map<String, byte[]> s = new LinkedHashMap<>();
        s.put("0", le(PY_CONV.length * 4, b -> {
            for (float v : PY_CONV) {
                b.putFloat(v);
            }
        }));
        s.put("1", le(8, b -> b.putFloat(PY_BN_WEIGHT[0]).putFloat(PY_BN_WEIGHT[1])));
        s.put("2", le(8, b -> b.putFloat(PY_BN_MEAN[0]).putFloat(PY_BN_MEAN[1])));
        s.put("3", le(8, b -> b.putLong(PY_BATCHES)));
        // float16 bit patterns of PY_FC_WEIGHT
        s.put("4", le(12, b -> {
            for (int h : new int[] {0x3800, 0xBD00, 0x7BFF, 0x0400, 0x0001, 0x8000}) {
                b.putShort((short) h);
            }
        }));
        s.put("5", le(16, b -> b.putDouble(PY_FC_BIAS[0]).putDouble(PY_FC_BIAS[1])));
        return s;
    }

    private interface Filler {
        void fill(ByteBuffer b);
    }

    private static byte[] le(int n, Filler f) {
        ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        f.fill(b);
        assertFalse(b.hasRemaining());
        return b.array();
    }

    private static Map<String, HostTensor> pyExpected() {
        Map<String, HostTensor> e = new LinkedHashMap<>();
        e.put("conv1.weight", HostTensor.of(PY_CONV, 2, 3, 2, 2));
        e.put("bn1.weight", HostTensor.of(PY_BN_WEIGHT, 2));
        e.put("bn1.running_mean", HostTensor.of(PY_BN_MEAN, 2));
        e.put("bn1.num_batches_tracked", new HostTensor(Shape.of(new long[0]), new float[] {PY_BATCHES}));
        e.put("fc.weight", HostTensor.of(PY_FC_WEIGHT, 2, 3));
        e.put("fc.bias", HostTensor.of(new float[] {(float) PY_FC_BIAS[0], (float) PY_FC_BIAS[1]}, 2));
        e.put("head.weight", HostTensor.of(PY_FC_WEIGHT, 2, 3));
        return e;
    }

    /**
     * A zip laid out as torch.save's writer lays it out: STORED entries under one directory, in
     * the order data.pkl, byteorder, data/&lt;key&gt;..., version, .data/serialization_id, each
     * record's data 64-byte aligned by an "FB" extra field of 'Z' padding.
     */
    static byte[] torchSaveZip(String root, byte[] pkl, Map<String, byte[]> storages) throws IOException {
        Map<String, byte[]> records = new LinkedHashMap<>();
        records.put("data.pkl", pkl);
        records.put("byteorder", "little".getBytes(StandardCharsets.US_ASCII));
        storages.forEach((k, v) -> records.put("data/" + k, v));
        records.put("version", "3\n".getBytes(StandardCharsets.US_ASCII));
        records.put(".data/serialization_id", "1234567890123456789012345678901234567890".getBytes(StandardCharsets.US_ASCII));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<long[]> placed = new ArrayList<>();
        List<byte[]> contents = new ArrayList<>();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> r : records.entrySet()) {
                String name = root + "/" + r.getKey();
                byte[] data = r.getValue();
                int nameLength = name.getBytes(StandardCharsets.UTF_8).length;
                long headerStart = bytes.size();
                int pad = (int) Math.floorMod(-(headerStart + 30 + nameLength + 4), 64L);
                byte[] extra = new byte[4 + pad];
                extra[0] = 'F';
                extra[1] = 'B';
                extra[2] = (byte) pad;
                extra[3] = (byte) (pad >>> 8);
                java.util.Arrays.fill(extra, 4, extra.length, (byte) 'Z');
                ZipEntry e = new ZipEntry(name);
                e.setMethod(ZipEntry.STORED);
                e.setSize(data.length);
                e.setCompressedSize(data.length);
                CRC32 crc = new CRC32();
                crc.update(data);
                e.setCrc(crc.getValue());
                e.setExtra(extra);
                zip.putNextEntry(e);
                zip.write(data);
                zip.closeEntry();
                placed.add(new long[] {headerStart + 30 + nameLength + extra.length, data.length});
                contents.add(data);
            }
        }
        byte[] out = bytes.toByteArray();
        for (int i = 0; i < placed.size(); i++) {
            int at = (int) placed.get(i)[0];
            assertEquals(0, at % 64, "record data is 64-byte aligned");
            assertArrayEquals(contents.get(i), java.util.Arrays.copyOfRange(out, at, at + contents.get(i).length));
        }
        return out;
    }

    private Path pyFile(String name, String pklHex) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, torchSaveZip("archive", HexFormat.of().parseHex(pklHex), pyStorages()));
        return file;
    }

    @Test
    void readsPythonTorchSaveOfModelStateDict() throws IOException {
        Path file = pyFile("resnet.pth", PY_ORDERED_PKL);
        assertSameTensors(pyExpected(), TorchCheckpoint.readStateDict(file));
        // The directory name inside the archive does not matter (older PyTorch used the file stem).
        Path stem = dir.resolve("stem.pt");
        Files.write(stem, torchSaveZip("resnet", HexFormat.of().parseHex(PY_ORDERED_PKL), pyStorages()));
        assertSameTensors(pyExpected(), TorchCheckpoint.readStateDict(stem));
    }

    @Test
    void agreesWithLibtorchOnPythonLayoutItCanRead() throws IOException {
        // libtorch's pickle_load cannot read an OrderedDict (pytorch/pytorch#100741), but reads
        // a plain dict in the same container: its values must be ours.
        Path file = pyFile("plain.pt", PY_PLAIN_PKL);
        Map<String, HostTensor> ours = TorchCheckpoint.readStateDict(file);
        assertSameTensors(pyExpected(), ours);
        assertSameTensors(libtorchRead(file), ours);
    }

    // ---- errors -----------------------------------------------------------------------------

    private static IOException assertFails(Path file, String... fragments) {
        IOException e = assertThrows(IOException.class, () -> TorchCheckpoint.readStateDict(file));
        String m = e.getMessage();
        assertTrue(m.startsWith(file.toString()), m);
        assertFalse(m.contains("\n") || m.contains("\r"), "one line: " + m);
        for (String f : fragments) {
            assertTrue(m.contains(f), "'" + f + "' in: " + m);
        }
        return e;
    }

    @Test
    void missingFile() {
        IOException e = assertFails(dir.resolve("absent.pt"), "not found");
        assertTrue(e instanceof NoSuchFileException);
    }

    @Test
    void randomBytesAndEmptyFiles() throws IOException {
        Random r = new Random(42);
        byte[] junk = new byte[4096];
        r.nextBytes(junk);
        junk[0] = 0x13;
        assertFails(Files.write(dir.resolve("junk.pt"), junk), "not a PyTorch checkpoint");
        // Random bytes behind a zip signature.
        junk[0] = 'P';
        junk[1] = 'K';
        junk[2] = 3;
        junk[3] = 4;
        assertFails(Files.write(dir.resolve("junkzip.pt"), junk), "zip");
        assertFails(Files.write(dir.resolve("empty.pt"), new byte[0]), "empty");
        assertFails(Files.write(dir.resolve("legacy.pt"), new byte[] {(byte) 0x80, 2, (byte) 0x8a, 10}), "legacy");
        assertFails(dir, "directory");
    }

    @Test
    void truncatedFilesFailCleanly() throws IOException {
        Path good = pickleSave("good.pt", dict(fixture().tensors));
        byte[] bytes = Files.readAllBytes(good);
        Path cut = dir.resolve("cut.pt");
        for (int n = 1; n < bytes.length; n += 13) {
            Files.write(cut, java.util.Arrays.copyOf(bytes, n));
            assertFails(cut);
        }
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length - 1));
        assertFails(cut);
    }

    @Test
    void dictWithNonTensorValueNamesTheKey() throws IOException {
        Path file = pickleSave("mixed.pt", call("mixed", new IValue(torch.ones(2))));
        assertFails(file, "'a.scale'", "int", "not a tensor");
        Path nested = pickleSave("emptynested.pt", call("wrap", new IValue("state_dict"), emptyDict()));
        assertEquals(Map.of(), TorchCheckpoint.readStateDict(nested));
    }

    @Test
    void topLevelThatIsNotADict() throws IOException {
        assertFails(pickleSave("tensor.pt", new IValue(torch.ones(2))), "top-level object is a Tensor");
        assertFails(pickleSave("number.pt", new IValue(7L)), "top-level object is a int");
    }

    @Test
    void wholePickledModelIsNamed() throws IOException {
        // CPython's protocol-2 pickle of an object of class __main__.Net (torch.save(model, f)).
        byte[] pkl = HexFormat.of().parseHex("8002635f5f6d61696e5f5f0a4e65740a7100298171017d71025808000000747261696e696e6771038873622e");
        Path file = dir.resolve("model.pt");
        Files.write(file, torchSaveZip("archive", pkl, Map.of()));
        assertFails(file, "class __main__.Net", "state_dict()");
    }

    @Test
    void torchScriptArchiveIsNamed() throws IOException {
        JitModule m = new JitModule(new QualifiedName("Net"));
        m.register_parameter("weight", torch.ones(2, 2), false);
        Path file = dir.resolve("scripted.pt");
        m.save(file.toString());
        assertFails(file, "TorchScript module, not a state_dict");
    }

    /** Every byte of data.pkl overwritten in turn: a value or an IOException, never anything else. */
    @Test
    void corruptPickleBytesNeverEscapeAsOtherErrors() throws IOException {
        byte[] pkl = HexFormat.of().parseHex(PY_ORDERED_PKL);
        Path file = dir.resolve("fuzz.pt");
        int failures = 0;
        for (int i = 0; i < pkl.length; i++) {
            for (int v : new int[] {0x00, 0xFF, pkl[i] ^ 0x01}) {
                byte[] bad = pkl.clone();
                bad[i] = (byte) v;
                Files.write(file, torchSaveZip("archive", bad, pyStorages()));
                try {
                    TorchCheckpoint.readStateDict(file);
                } catch (IOException e) {
                    failures++;
                    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
                    assertFalse(e.getMessage().contains("\n"), e.getMessage());
                } catch (RuntimeException | Error e) {
                    fail("byte " + i + " = " + v + ": " + e, e);
                }
            }
        }
        assertTrue(failures > pkl.length, "most corruptions are detected: " + failures);
    }

    /** Random corruption of the whole container, zip structure included. */
    @Test
    void corruptContainerBytesNeverEscapeAsOtherErrors() throws IOException {
        byte[] good = Files.readAllBytes(pickleSave("good.pt", dict(fixture().tensors)));
        Random r = new Random(7);
        Path file = dir.resolve("fuzz.pt");
        for (int round = 0; round < 400; round++) {
            byte[] bad = good.clone();
            for (int k = 0; k < 1 + r.nextInt(4); k++) {
                bad[r.nextInt(bad.length)] = (byte) r.nextInt(256);
            }
            Files.write(file, bad);
            try {
                TorchCheckpoint.readStateDict(file);
            } catch (IOException e) {
                assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
            } catch (RuntimeException | Error e) {
                fail("round " + round + ": " + e, e);
            }
        }
    }

    @Test
    void storageRecordOfTheWrongSizeIsReported() throws IOException {
        Map<String, byte[]> storages = pyStorages();
        storages.put("0", java.util.Arrays.copyOf(storages.get("0"), 40));
        Path file = dir.resolve("short.pt");
        Files.write(file, torchSaveZip("archive", HexFormat.of().parseHex(PY_ORDERED_PKL), storages));
        assertFails(file, "conv1.weight", "archive/data/0", "40 bytes");
    }

    @Test
    void aViewRepeatingItsStorageIntoGigabytesIsRefused() throws IOException {
        // conv1.weight's size (2, 3, 2, 2) and stride (12, 4, 2, 1) become (32768, 32768, 1, 1) and (0, 0, 0, 0): 2^30 floats
        // (4 GB) out of a 24-element storage; before, the reader allocated them
        String pkl = PY_ORDERED_PKL.replace("284b024b034b024b02747109284b0c4b044b024b0174",
                "284a008000004a008000004b014b01747109284b004b004b004b0074");
        assertTrue(!pkl.equals(PY_ORDERED_PKL), "the size and stride bytes were found");
        Path file = dir.resolve("repeated.pt");
        Files.write(file, torchSaveZip("archive", HexFormat.of().parseHex(pkl), pyStorages()));
        assertFails(file, "conv1.weight", "[32768, 32768, 1, 1]", "repeats the 24 elements");
    }
}
