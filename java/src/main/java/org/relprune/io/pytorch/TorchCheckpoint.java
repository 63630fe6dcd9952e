package org.relprune.io.pytorch;

import org.relprune.io.safetensors.HalfFloats;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.relprune.io.pytorch.TorchPickle.DType;
import org.relprune.io.pytorch.TorchPickle.Opaque;
import org.relprune.io.pytorch.TorchPickle.PickleException;
import org.relprune.io.pytorch.TorchPickle.PyDict;
import org.relprune.io.pytorch.TorchPickle.TensorRef;
import org.relprune.io.pytorch.TorchPickle.UnsupportedTensor;
import org.relprune.tensor.HostTensor;
import org.relprune.tensor.Shape;

/**
 * Reads PyTorch {@code state_dict} checkpoints: the zip archives that
 * {@code torch.save(model.state_dict(), "model.pt")} writes (PyTorch 1.6 and later), and what
 * libtorch's {@code torch::pickle_save} writes, which is the same format.
 *
 * <p>The archive is {@code <dir>/data.pkl}, a pickle of the dict whose tensors are persistent
 * references {@code ("storage", torch.FloatStorage, "0", "cpu", numel)} rebuilt by
 * {@code torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)}, plus one record
 * {@code <dir>/data/<key>} of raw little-endian elements per storage. The pickle is read by
 * {@link TorchPickle}, a data-only unpickler, not by libtorch: libtorch's
 * {@code torch::pickle_load} cannot read an {@code OrderedDict}, which every
 * {@code model.state_dict()} is (see {@link TorchPickle}). Being plain Java, a corrupt file can
 * only ever produce an {@link IOException}.
 */
public final class TorchCheckpoint {
    /** The largest array length the JVMs in use reliably allocate. */
    static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;
    /** A state dict's pickle is a few bytes per tensor; this only stops a bogus size early. */
    static final int MAX_PICKLE_BYTES = 1 << 30;
    private static final String[] WRAPPER_KEYS = {"state_dict", "model"};

    private TorchCheckpoint() {
    }

    /**
     * Every tensor of a state dict, in file order, as contiguous float32 (float64 rounded to
     * nearest; float16, bfloat16 and integers converted, integers exactly up to 2^24; bool as 0/1).
     * The file's top-level object must be a dict of str to Tensor, or a dict with a
     * {@code "state_dict"} (else {@code "model"}) entry holding one, as training checkpoints do;
     * other entries of such a checkpoint are ignored. Non-contiguous and shared-storage tensors
     * are read as what they show; tensors saved from a GPU are read as well.
     *
     * @throws IOException with a one-line message starting with the file path when the file is
     *     missing, unreadable, not a torch.save zip archive, a TorchScript archive, or not a
     *     dict of tensors (naming the offending entry)
     */
    public static Map<String, HostTensor> readStateDict(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw fail(file, "is a directory, not a checkpoint file");
        }
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, "checkpoint file not found");
        }
        long fileSize = Files.size(file);
        checkSignature(file, fileSize);
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw fail(file, "not a readable zip archive (truncated or corrupt?): " + describe(e));
        }
        try (zip) {
            return new Reader(file, zip, fileSize).read();
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException e) {
            throw fail(file, "corrupt zip archive: " + describe(e));
        } catch (RuntimeException e) {
            // a structure the reader did not expect (a bug's symptoms too): the file is what the user can act on
            throw fail(file, "corrupt or unsupported checkpoint (its pickled structure is not a state_dict of tensors relprune can read)");
        }
    }

    /** The most elements a view may have beyond its storage's (an expanded, stride-0 tensor). */
    static final long MAX_REPEATED_VIEW = 1 << 20;

    /** An IOException whose message is already complete; never re-wrapped. */
    private static final class CheckpointException extends IOException {
        CheckpointException(String message) {
            super(message);
        }
    }

    /** The message: the path, then the detail on one line, control characters shown as '?'. */
    private static CheckpointException fail(Path file, String detail) {
        return new CheckpointException(file + ": " + TorchPickle.oneLine(detail).replaceAll("[\\p{Cntrl}\\uFFFD]", "?"));
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? "no detail" : m;
    }

    /** Rejects what is clearly not a zip archive before ZipFile gives a vaguer message. */
    private static void checkSignature(Path file, long size) throws IOException {
        if (size == 0) {
            throw fail(file, "empty file, not a PyTorch checkpoint");
        }
        byte[] head = new byte[4];
        int n;
        try (SeekableByteChannel ch = Files.newByteChannel(file)) {
            ByteBuffer b = ByteBuffer.wrap(head);
            while (b.hasRemaining() && ch.read(b) >= 0) {
                // fill
            }
            n = b.position();
        }
        if (n >= 4 && head[0] == 'P' && head[1] == 'K' && (head[2] == 3 || head[2] == 5) && (head[3] == 4 || head[3] == 6)) {
            return;
        }
        if (n >= 2 && (head[0] & 0xFF) == 0x80 && head[1] >= 2 && head[1] <= 5) {
            throw fail(file, "legacy (non-zip) torch.save format, written by PyTorch before 1.6 or with "
                    + "_use_new_zipfile_serialization=False; not supported: load it in Python and torch.save it again");
        }
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < n; i++) {
            hex.append(String.format("%02x", head[i]));
        }
        throw fail(file, "not a PyTorch checkpoint: expected the zip archive torch.save writes, file starts with 0x" + hex);
    }

    private static final class Reader {
        private final Path file;
        private final ZipFile zip;
        private final long fileSize;
        private String root;
        private ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        private String context = "";

        Reader(Path file, ZipFile zip, long fileSize) {
            this.file = file;
            this.zip = zip;
            this.fileSize = fileSize;
        }

        Map<String, HostTensor> read() throws IOException {
            findRoot();
            readByteOrder();
            ZipEntry pklEntry = zip.getEntry(root + "/data.pkl");
            byte[] pkl = readEntry(pklEntry, MAX_PICKLE_BYTES);
            Object top;
            try {
                top = TorchPickle.load(pkl);
            } catch (PickleException e) {
                throw fail(file, root + "/data.pkl: " + e.getMessage());
            }
            PyDict dict = select(top);
            Map<String, TensorRef> tensors = validate(dict);
            return materialize(tensors);
        }

        private void findRoot() throws IOException {
            boolean torchScript = false;
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
                String name = en.nextElement().getName();
                int slash = name.indexOf('/');
                if (slash <= 0) {
                    continue;
                }
                String rest = name.substring(slash + 1);
                if (rest.equals("constants.pkl") || rest.startsWith("code/")) {
                    torchScript = true;
                } else if (rest.equals("data.pkl") && root == null) {
                    root = name.substring(0, slash);
                }
            }
            if (torchScript) {
                throw fail(file, "TorchScript module, not a state_dict (in Python: torch.save(torch.jit.load(f).state_dict(), out))");
            }
            if (root == null) {
                throw fail(file, "zip archive without a <dir>/data.pkl record: not a torch.save checkpoint");
            }
        }

        private void readByteOrder() throws IOException {
            ZipEntry e = zip.getEntry(root + "/byteorder");
            if (e == null) {
                return; // archives before PyTorch 1.12 have none: little-endian
            }
            String s = new String(readEntry(e, 64), StandardCharsets.US_ASCII).trim();
            switch (s) {
                case "little" -> order = ByteOrder.LITTLE_ENDIAN;
                case "big" -> order = ByteOrder.BIG_ENDIAN;
                default -> throw fail(file, root + "/byteorder says '" + s + "', expected 'little' or 'big'");
            }
        }

        /** The dict of tensors: the top-level dict itself or its "state_dict" / "model" entry. */
        private PyDict select(Object top) throws IOException {
            if (!(top instanceof PyDict dict)) {
                throw fail(file, "top-level object is a " + TorchPickle.typeName(top) + ", not a dict of tensors"
                        + hint(top));
            }
            if (allTensors(dict)) {
                return dict;
            }
            for (String k : WRAPPER_KEYS) {
                if (dict.map.get(k) instanceof PyDict inner) {
                    context = " in '" + k + "'";
                    return inner;
                }
            }
            return dict; // validate names the first entry that is not a tensor
        }

        private static boolean allTensors(PyDict d) {
            for (Object v : d.map.values()) {
                if (!(v instanceof TensorRef)) {
                    return false;
                }
            }
            return true;
        }

        private static String hint(Object v) {
            if (v instanceof Opaque) {
                return " (a whole pickled model? save model.state_dict() instead)";
            }
            return " (expected torch.save(model.state_dict(), f))";
        }

        private Map<String, TensorRef> validate(PyDict dict) throws IOException {
            Map<String, TensorRef> out = new LinkedHashMap<>();
            for (Map.Entry<Object, Object> e : dict.map.entrySet()) {
                Object key = TorchPickle.unwrapKey(e.getKey());
                if (!(key instanceof String name)) {
                    throw fail(file, "key " + key + context + " is a " + TorchPickle.typeName(key) + ", not a str");
                }
                Object v = e.getValue();
                if (v instanceof TensorRef t) {
                    out.put(name, t);
                } else if (v instanceof UnsupportedTensor u) {
                    throw fail(file, "entry '" + name + "'" + context + " is a " + u.what() + ", which is not supported");
                } else {
                    String expected = context.isEmpty()
                            ? " (expected a state_dict of str -> Tensor, or a checkpoint dict with a 'state_dict' or 'model' entry)"
                            : "";
                    throw fail(file, "entry '" + name + "'" + context + " is a " + TorchPickle.typeName(v)
                            + ", not a tensor" + expected);
                }
            }
            return out;
        }

        private Map<String, HostTensor> materialize(Map<String, TensorRef> tensors) throws IOException {
            Map<String, Integer> uses = new HashMap<>();
            for (TensorRef t : tensors.values()) {
                uses.merge(t.storage().key(), 1, Integer::sum);
            }
            Map<String, byte[]> shared = new HashMap<>();
            Map<String, HostTensor> out = new LinkedHashMap<>();
            for (Map.Entry<String, TensorRef> e : tensors.entrySet()) {
                out.put(e.getKey(), tensor(e.getKey(), e.getValue(), uses.get(e.getValue().storage().key()) > 1, shared));
            }
            return out;
        }

        private HostTensor tensor(String name, TensorRef t, boolean isShared, Map<String, byte[]> shared)
                throws IOException {
            TorchPickle.StorageRef s = t.storage();
            DType dt = s.dtype();
            long[] size = t.size();
            long[] stride = t.stride();
            String what = "tensor '" + name + "'" + context;
            long numel;
            long last; // the storage index of the last element
            try {
                numel = 1;
                last = t.offset();
                for (int i = 0; i < size.length; i++) {
                    numel = Math.multiplyExact(numel, size[i]);
                    if (size[i] > 0) {
                        last = Math.addExact(last, Math.multiplyExact(size[i] - 1, stride[i]));
                    }
                }
            } catch (ArithmeticException ex) {
                throw fail(file, what + ": size " + Arrays.toString(size) + " with stride "
                        + Arrays.toString(stride) + " overflows");
            }
            if (numel > MAX_ARRAY_LENGTH) {
                throw fail(file, what + " has " + numel + " elements, more than one Java array can hold");
            }
            // a view repeating its storage (stride 0): a few bytes of file would become gigabytes of floats
            if (numel > s.numel() && numel > MAX_REPEATED_VIEW) {
                throw fail(file, what + ": size " + Arrays.toString(size) + " with stride " + Arrays.toString(stride) + " repeats the "
                        + s.numel() + " elements of its storage into " + numel + ": not a tensor a state_dict holds");
            }
            Shape shape = Shape.of(size);
            if (numel == 0) {
                return new HostTensor(shape, new float[0]);
            }
            if (last >= s.numel()) {
                throw fail(file, what + " (offset " + t.offset() + ", size " + Arrays.toString(size)
                        + ", stride " + Arrays.toString(stride) + ") reaches element " + last
                        + " of storage '" + s.key() + "', which has " + s.numel());
            }
            String record = root + "/data/" + s.key();
            ZipEntry entry = zip.getEntry(record);
            if (entry == null) {
                throw fail(file, what + ": storage record " + record + " is missing");
            }
            long storageBytes = s.numel() > Long.MAX_VALUE / dt.size ? -1 : s.numel() * dt.size;
            if (storageBytes < 0 || (entry.getSize() >= 0 && entry.getSize() != storageBytes)) {
                throw fail(file, what + ": storage record " + record + " holds " + entry.getSize()
                        + " bytes, but the pickle declares " + s.numel() + " " + dt.label + " elements");
            }
            byte[] bytes;
            long firstByte; // the storage byte offset of bytes[0]
            if (isShared && storageBytes <= MAX_ARRAY_LENGTH) {
                bytes = shared.get(s.key());
                if (bytes == null) {
                    bytes = readRecord(entry, 0, (int) storageBytes, what);
                    shared.put(s.key(), bytes);
                }
                firstByte = 0;
            } else {
                firstByte = t.offset() * dt.size;
                long length = (last + 1 - t.offset()) * dt.size;
                if (length > MAX_ARRAY_LENGTH) {
                    throw fail(file, what + " spans " + length + " bytes of its storage, more than one Java array can hold");
                }
                bytes = readRecord(entry, firstByte, (int) length, what);
            }
            float[] out = new float[(int) numel];
            ByteBuffer buf = ByteBuffer.wrap(bytes).order(order);
            long start = t.offset() - firstByte / dt.size; // element index of the first element within bytes
            if (isContiguous(size, stride)) {
                for (int i = 0; i < out.length; i++) {
                    out[i] = element(buf, dt, (int) ((start + i) * dt.size));
                }
            } else {
                int rank = size.length;
                long[] index = new long[rank];
                long p = start;
                for (int i = 0; i < out.length; i++) {
                    out[i] = element(buf, dt, (int) (p * dt.size));
                    for (int d = rank - 1; d >= 0; d--) {
                        index[d]++;
                        p += stride[d];
                        if (index[d] < size[d]) {
                            break;
                        }
                        p -= stride[d] * size[d];
                        index[d] = 0;
                    }
                }
            }
            return new HostTensor(shape, out);
        }

        private static boolean isContiguous(long[] size, long[] stride) {
            long expected = 1;
            for (int d = size.length - 1; d >= 0; d--) {
                if (size[d] != 1 && stride[d] != expected) {
                    return false;
                }
                expected *= size[d];
            }
            return true;
        }

        private static float element(ByteBuffer b, DType dt, int at) {
            return switch (dt) {
                case FLOAT32 -> b.getFloat(at);
                case FLOAT64 -> (float) b.getDouble(at);
                case FLOAT16 -> HalfFloats.f16ToFloat(b.getShort(at));
                case BFLOAT16 -> Float.intBitsToFloat((b.getShort(at) & 0xFFFF) << 16);
                case INT64 -> (float) b.getLong(at);
                case INT32 -> (float) b.getInt(at);
                case INT16 -> b.getShort(at);
                case INT8 -> b.get(at);
                case UINT8 -> b.get(at) & 0xFF;
                case BOOL -> b.get(at) != 0 ? 1f : 0f;
            };
        }

        /** {@code length} bytes of a record from byte {@code from}; fails if the record is shorter. */
        private byte[] readRecord(ZipEntry entry, long from, int length, String what) throws IOException {
            if (entry.getMethod() == ZipEntry.STORED && from + length > fileSize) {
                throw fail(file, what + ": storage record " + entry.getName() + " would end past the end of the file");
            }
            try (InputStream in = zip.getInputStream(entry)) {
                long skipped = 0;
                while (skipped < from) {
                    long n = in.skip(from - skipped);
                    if (n <= 0) {
                        if (in.read() < 0) {
                            break;
                        }
                        n = 1;
                    }
                    skipped += n;
                }
                byte[] b = skipped == from ? in.readNBytes(length) : new byte[0];
                if (b.length != length) {
                    throw fail(file, what + ": storage record " + entry.getName() + " is truncated");
                }
                return b;
            }
        }

        private byte[] readEntry(ZipEntry e, int limit) throws IOException {
            if (e.getSize() > limit || (e.getMethod() == ZipEntry.STORED && e.getSize() > fileSize)) {
                throw fail(file, e.getName() + " claims " + e.getSize() + " bytes, more than the "
                        + Math.min(limit, fileSize) + " allowed");
            }
            try (InputStream in = zip.getInputStream(e)) {
                byte[] b = in.readNBytes(limit + 1);
                if (b.length > limit) {
                    throw fail(file, e.getName() + " is larger than " + limit + " bytes");
                }
                if (e.getSize() >= 0 && b.length != e.getSize()) {
                    throw fail(file, e.getName() + " is truncated: " + b.length + " of " + e.getSize() + " bytes");
                }
                return b;
            }
        }
    }
}
