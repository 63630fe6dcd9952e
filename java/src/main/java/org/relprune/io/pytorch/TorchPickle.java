package org.relprune.io.pytorch;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A restricted, data-only unpickler for the {@code data.pkl} record of a {@code torch.save} zip
 * archive. It never runs code: the handful of globals that {@code torch.save} emits for a state
 * dict ({@code collections.OrderedDict}, {@code torch._utils._rebuild_tensor_v2}, the storage
 * classes, ...) are interpreted; any other global becomes an {@link Opaque} placeholder, which is
 * an error only if it ends up where a tensor is expected.
 *
 * <p>Why not libtorch's {@code torch::pickle_load}: its unpickler turns every
 * {@code collections.OrderedDict} into {@code None} and then fails with "Expected GenericDict but
 * got None" on the first SETITEMS, and {@code model.state_dict()} is an OrderedDict, so it cannot
 * read what {@code torch.save(model.state_dict(), f)} writes (pytorch/pytorch#100741; still so in
 * libtorch 2.10).
 *
 * <p>Every opcode of protocols 2 to 5 that plain data needs is implemented, plus the simple text
 * opcodes of protocols 0 and 1; malformed input raises {@link PickleException}, never anything
 * else, and memory use stays proportional to the input size.
 */
final class TorchPickle {
    private TorchPickle() {
    }

    /** A malformed or unsupported pickle; the message says what and where. */
    static final class PickleException extends Exception {
        PickleException(String message) {
            super(message);
        }
    }

    // ---- values ---------------------------------------------------------------------------
    // None is null, bool Boolean, int Long (BigInteger when it does not fit), float Double,
    // str String, bytes byte[], list ArrayList, set LinkedHashSet; the rest are below.

    /** A Python tuple. */
    static final class PyTuple {
        final Object[] items;

        PyTuple(Object[] items) {
            this.items = items;
        }
    }

    /** A Python dict (or OrderedDict), in insertion order; keys as {@link #key} makes them. */
    static final class PyDict {
        final LinkedHashMap<Object, Object> map = new LinkedHashMap<>();

        void put(Object key, Object value) {
            map.put(key(key), value);
        }

        /** Immutable scalars compare by value; anything else by identity (no deep hashing). */
        static Object key(Object k) {
            if (k == null || k instanceof String || k instanceof Long || k instanceof Boolean
                    || k instanceof Double || k instanceof BigInteger) {
                return k;
            }
            return new IdentityKey(k);
        }
    }

    /** A dict key that is not a simple scalar. */
    record IdentityKey(Object value) {
        @Override
        public boolean equals(Object o) {
            return o instanceof IdentityKey k && k.value == value;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(value);
        }
    }

    /** A reference to a Python global, {@code module.name}, not resolved. */
    record Global(String module, String name) {
        String qualified() {
            return module + "." + name;
        }
    }

    /** An object of a class this reader does not interpret (a pickled nn.Module, numpy value, ...). */
    static final class Opaque {
        final String type;

        Opaque(String type) {
            this.type = type;
        }
    }

    /** A tensor kind this reader recognizes but does not load (quantized, sparse, ...). */
    record UnsupportedTensor(String what) {
    }

    /** Element types of tensor storages, by their pickled storage class. */
    enum DType {
        FLOAT32("float32", 4), FLOAT64("float64", 8), FLOAT16("float16", 2), BFLOAT16("bfloat16", 2),
        INT64("int64", 8), INT32("int32", 4), INT16("int16", 2), INT8("int8", 1), UINT8("uint8", 1),
        BOOL("bool", 1);

        final String label;
        final int size;

        DType(String label, int size) {
            this.label = label;
            this.size = size;
        }

        /** The dtype of a storage class name such as {@code FloatStorage}; null when unsupported. */
        static DType ofStorageClass(String name) {
            return switch (name) {
                case "FloatStorage" -> FLOAT32;
                case "DoubleStorage" -> FLOAT64;
                case "HalfStorage" -> FLOAT16;
                case "BFloat16Storage" -> BFLOAT16;
                case "LongStorage" -> INT64;
                case "IntStorage" -> INT32;
                case "ShortStorage" -> INT16;
                case "CharStorage" -> INT8;
                case "ByteStorage" -> UINT8;
                case "BoolStorage" -> BOOL;
                default -> null;
            };
        }
    }

    /** A persistent storage reference: record {@code data/<key>}, {@code numel} elements. */
    record StorageRef(String key, DType dtype, long numel) {
    }

    /** A tensor view on a storage, as {@code _rebuild_tensor_v2} describes it. */
    record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {
    }

    // ---- the machine ----------------------------------------------------------------------

    /** Runs the pickle in {@code data} and returns the object it builds. */
    static Object load(byte[] data) throws PickleException {
        Machine m = new Machine(data);
        try {
            return m.run();
        } catch (PickleException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            // ClassCastException and friends from a stack that does not hold what an opcode needs.
            throw new PickleException("malformed pickle at byte " + m.opStart + " (opcode " + m.describeOp() + "): "
                    + oneLine(e.toString()));
        }
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
    }

    /** A short Python-ish name for the type of a value, for messages. */
    static String typeName(Object v) {
        if (v == null) {
            return "None";
        } else if (v instanceof Boolean) {
            return "bool";
        } else if (v instanceof Long || v instanceof BigInteger) {
            return "int";
        } else if (v instanceof Double) {
            return "float";
        } else if (v instanceof String) {
            return "str";
        } else if (v instanceof byte[]) {
            return "bytes";
        } else if (v instanceof List) {
            return "list";
        } else if (v instanceof Set) {
            return "set";
        } else if (v instanceof PyTuple) {
            return "tuple";
        } else if (v instanceof PyDict) {
            return "dict";
        } else if (v instanceof TensorRef) {
            return "Tensor";
        } else if (v instanceof StorageRef s) {
            return "storage of " + s.dtype().label;
        } else if (v instanceof Opaque o) {
            return "pickled object of class " + o.type;
        } else if (v instanceof Global g) {
            return "reference to " + g.qualified();
        } else if (v instanceof UnsupportedTensor u) {
            return u.what();
        }
        return v.getClass().getSimpleName();
    }

    private static final class Machine {
        private final byte[] in;
        private int pos;
        int opStart;
        private int op = -1;
        private final ArrayList<Object> stack = new ArrayList<>();
        private final ArrayList<Integer> marks = new ArrayList<>();
        private final HashMap<Long, Object> memo = new HashMap<>();

        Machine(byte[] in) {
            this.in = in;
        }

        String describeOp() {
            if (op < 0) {
                return "none";
            }
            return op >= 0x20 && op < 0x7F ? "'" + (char) op + "'" : String.format("0x%02x", op);
        }

        private PickleException error(String what) {
            return new PickleException("malformed pickle at byte " + opStart + " (opcode " + describeOp() + "): " + what);
        }

        Object run() throws PickleException {
            if (in.length == 0) {
                throw new PickleException("empty pickle");
            }
            while (true) {
                opStart = pos;
                if (pos >= in.length) {
                    throw new PickleException("truncated pickle: no STOP opcode before byte " + in.length);
                }
                op = in[pos++] & 0xFF;
                switch (op) {
                    case 0x80 -> { // PROTO
                        int proto = u8();
                        if (proto > 5) {
                            throw error("unsupported pickle protocol " + proto);
                        }
                    }
                    case 0x95 -> { // FRAME: a length hint only
                        take(8);
                    }
                    case '.' -> { // STOP
                        if (stack.size() != 1 || !marks.isEmpty()) {
                            throw error("stack holds " + stack.size() + " values at STOP, expected 1");
                        }
                        return stack.get(0);
                    }
                    case '(' -> marks.add(stack.size()); // MARK
                    case '0' -> pop(); // POP
                    case '1' -> popMark(); // POP_MARK
                    case '2' -> push(peek()); // DUP
                    case 'N' -> push(null);
                    case 0x88 -> push(Boolean.TRUE);
                    case 0x89 -> push(Boolean.FALSE);
                    case 'J' -> push((long) le(4, true)); // BININT
                    case 'K' -> push((long) u8()); // BININT1
                    case 'M' -> push(le(2, false)); // BININT2
                    case 0x8a -> push(longBytes(u8())); // LONG1
                    case 0x8b -> push(longBytes(length(le(4, true)))); // LONG4
                    case 'G' -> push(ByteBuffer.wrap(take(8)).order(ByteOrder.BIG_ENDIAN).getDouble()); // BINFLOAT
                    case 'I' -> { // INT (text)
                        String s = line();
                        push(switch (s) {
                            case "00" -> Boolean.FALSE;
                            case "01" -> Boolean.TRUE;
                            default -> parseInt(s);
                        });
                    }
                    case 'L' -> { // LONG (text)
                        String s = line();
                        push(parseInt(s.endsWith("L") ? s.substring(0, s.length() - 1) : s));
                    }
                    case 'F' -> { // FLOAT (text)
                        try {
                            push(Double.parseDouble(line()));
                        } catch (NumberFormatException e) {
                            throw error("bad float literal");
                        }
                    }
                    case 'X' -> push(utf8(take(length(le(4, false))))); // BINUNICODE
                    case 0x8c -> push(utf8(take(u8()))); // SHORT_BINUNICODE
                    case 0x8d -> push(utf8(take(length(le(8, false))))); // BINUNICODE8
                    case 'T' -> push(latin1(take(length(le(4, true))))); // BINSTRING (Python 2 str)
                    case 'U' -> push(latin1(take(u8()))); // SHORT_BINSTRING
                    case 'B' -> push(take(length(le(4, false)))); // BINBYTES
                    case 'C' -> push(take(u8())); // SHORT_BINBYTES
                    case 0x8e, 0x96 -> push(take(length(le(8, false)))); // BINBYTES8, BYTEARRAY8
                    case ')' -> push(new PyTuple(new Object[0])); // EMPTY_TUPLE
                    case 't' -> push(new PyTuple(popMark().toArray())); // TUPLE
                    case 0x85 -> push(tupleOfTop(1)); // TUPLE1
                    case 0x86 -> push(tupleOfTop(2)); // TUPLE2
                    case 0x87 -> push(tupleOfTop(3)); // TUPLE3
                    case ']' -> push(new ArrayList<>()); // EMPTY_LIST
                    case 'l' -> push(new ArrayList<>(popMark())); // LIST
                    case 'a' -> { // APPEND
                        Object v = pop();
                        appendTo(peek(), Collections.singletonList(v));
                    }
                    case 'e' -> { // APPENDS
                        List<Object> items = popMark();
                        appendTo(peek(), items);
                    }
                    case '}' -> push(new PyDict()); // EMPTY_DICT
                    case 'd' -> { // DICT
                        List<Object> items = popMark();
                        PyDict d = new PyDict();
                        setItems(d, items);
                        push(d);
                    }
                    case 's' -> { // SETITEM
                        Object v = pop();
                        Object k = pop();
                        setItems(peek(), Arrays.asList(k, v));
                    }
                    case 'u' -> { // SETITEMS
                        List<Object> items = popMark();
                        setItems(peek(), items);
                    }
                    case 0x8f -> push(new LinkedHashSet<>()); // EMPTY_SET
                    case 0x90 -> { // ADDITEMS
                        List<Object> items = popMark();
                        if (peek() instanceof Set<?>) {
                            @SuppressWarnings("unchecked")
                            Set<Object> set = (Set<Object>) peek();
                            for (Object o : items) {
                                set.add(PyDict.key(o));
                            }
                        } else {
                            throw error("ADDITEMS on a " + typeName(peek()));
                        }
                    }
                    case 0x91 -> { // FROZENSET
                        Set<Object> set = new LinkedHashSet<>();
                        for (Object o : popMark()) {
                            set.add(PyDict.key(o));
                        }
                        push(set);
                    }
                    case 'p' -> memoPut(parseMemoIndex(line())); // PUT
                    case 'q' -> memoPut(u8()); // BINPUT
                    case 'r' -> memoPut(le(4, false)); // LONG_BINPUT
                    case 0x94 -> memoPut(memo.size()); // MEMOIZE
                    case 'g' -> memoGet(parseMemoIndex(line())); // GET
                    case 'h' -> memoGet(u8()); // BINGET
                    case 'j' -> memoGet(le(4, false)); // LONG_BINGET
                    case 'c' -> { // GLOBAL
                        String module = line();
                        String name = line();
                        push(new Global(module, name));
                    }
                    case 0x93 -> { // STACK_GLOBAL
                        Object name = pop();
                        Object module = pop();
                        if (!(module instanceof String) || !(name instanceof String)) {
                            throw error("STACK_GLOBAL needs two str, got " + typeName(module) + " and " + typeName(name));
                        }
                        push(new Global((String) module, (String) name));
                    }
                    case 'R' -> { // REDUCE
                        Object args = pop();
                        Object callable = pop();
                        push(reduce(callable, args));
                    }
                    case 0x81 -> { // NEWOBJ
                        Object args = pop();
                        Object cls = pop();
                        push(newObject(cls, args));
                    }
                    case 0x92 -> { // NEWOBJ_EX
                        pop(); // kwargs
                        Object args = pop();
                        Object cls = pop();
                        push(newObject(cls, args));
                    }
                    case 'i' -> { // INST (protocol 0)
                        String module = line();
                        String name = line();
                        popMark();
                        push(newObject(new Global(module, name), new PyTuple(new Object[0])));
                    }
                    case 'o' -> { // OBJ (protocol 1)
                        List<Object> items = popMark();
                        if (items.isEmpty()) {
                            throw error("OBJ without a class");
                        }
                        push(newObject(items.get(0), new PyTuple(items.subList(1, items.size()).toArray())));
                    }
                    case 'b' -> { // BUILD: object state (__setstate__ / attributes) is not needed
                        pop();
                        peek();
                    }
                    case 'Q' -> push(persistentLoad(pop())); // BINPERSID
                    case 'P' -> push(persistentLoad(line())); // PERSID
                    default -> throw error("unsupported or unknown opcode");
                }
            }
        }

        private void appendTo(Object target, List<Object> items) throws PickleException {
            if (target instanceof List<?>) {
                @SuppressWarnings("unchecked")
                List<Object> list = (List<Object>) target;
                list.addAll(items);
            } else if (!(target instanceof Opaque)) {
                // An Opaque object (a list subclass, say) takes its items without keeping them.
                throw error("append to a " + typeName(target));
            }
        }

        private void setItems(Object target, List<Object> items) throws PickleException {
            if (items.size() % 2 != 0) {
                throw error("odd number of values (" + items.size() + ") for dict items");
            }
            if (target instanceof PyDict d) {
                for (int i = 0; i < items.size(); i += 2) {
                    d.put(items.get(i), items.get(i + 1));
                }
            } else if (!(target instanceof Opaque)) {
                throw error("set items on a " + typeName(target));
            }
        }

        private Object reduce(Object callable, Object argsObj) throws PickleException {
            if (!(argsObj instanceof PyTuple t)) {
                throw error("REDUCE arguments are a " + typeName(argsObj) + ", not a tuple");
            }
            Object[] a = t.items;
            if (!(callable instanceof Global g)) {
                if (callable instanceof Opaque) {
                    return new Opaque(((Opaque) callable).type + "(...)");
                }
                throw error("REDUCE on a " + typeName(callable));
            }
            String q = g.qualified();
            switch (q) {
                case "collections.OrderedDict", "builtins.dict", "__builtin__.dict" -> {
                    PyDict d = new PyDict();
                    if (a.length >= 1 && a[0] != null) {
                        Iterable<?> pairs = a[0] instanceof List<?> l ? l
                                : a[0] instanceof PyTuple pt ? Arrays.asList(pt.items) : null;
                        if (a[0] instanceof PyDict src) {
                            d.map.putAll(src.map);
                        } else if (pairs != null) {
                            for (Object p : pairs) {
                                Object[] kv = p instanceof PyTuple pt ? pt.items
                                        : p instanceof List<?> l ? l.toArray() : null;
                                if (kv == null || kv.length != 2) {
                                    throw error(q + " item is a " + typeName(p) + ", not a pair");
                                }
                                d.put(kv[0], kv[1]);
                            }
                        } else {
                            throw error(q + " built from a " + typeName(a[0]));
                        }
                    }
                    return d;
                }
                case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor" -> {
                    return rebuildTensor(a);
                }
                case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state" -> {
                    return arg(a, 0, q);
                }
                case "torch._tensor._rebuild_from_type_v2" -> {
                    // (func, type, args, state): a tensor subclass; rebuild the plain tensor.
                    return reduce(arg(a, 0, q), arg(a, 2, q));
                }
                case "torch.jit._pickle.restore_type_tag" -> {
                    return arg(a, 0, q); // (value, "Dict[str, Tensor]"), as libtorch writes it
                }
                case "torch.jit._pickle.build_intlist", "torch.jit._pickle.build_tensorlist",
                        "torch.jit._pickle.build_doublelist", "torch.jit._pickle.build_boollist" -> {
                    return arg(a, 0, q);
                }
                case "torch._utils._rebuild_qtensor" -> {
                    return new UnsupportedTensor("quantized tensor");
                }
                case "torch._utils._rebuild_sparse_tensor", "torch._utils._rebuild_sparse_csr_tensor" -> {
                    return new UnsupportedTensor("sparse tensor");
                }
                case "torch._utils._rebuild_meta_tensor_no_storage" -> {
                    return new UnsupportedTensor("meta tensor (no data)");
                }
                case "torch._utils._rebuild_wrapper_subclass", "torch._utils._rebuild_device_tensor_from_numpy",
                        "torch._utils._rebuild_device_tensor_from_cpu_tensor", "torch._utils._rebuild_nested_tensor" -> {
                    return new UnsupportedTensor("tensor of an unsupported kind (" + q + ")");
                }
                case "_codecs.encode" -> {
                    // Python 3 writes bytes at protocol 2 as _codecs.encode(str, "latin1").
                    Object s = arg(a, 0, q);
                    if (s instanceof String str) {
                        return str.getBytes(StandardCharsets.ISO_8859_1);
                    }
                    return new Opaque(q);
                }
                case "torch.device" -> {
                    return a.length > 0 && a[0] instanceof String s ? s : new Opaque(q);
                }
                case "torch.Size" -> {
                    return a.length > 0 && a[0] instanceof PyTuple pt ? pt : new Opaque(q);
                }
                default -> {
                    return new Opaque(q);
                }
            }
        }

        private Object newObject(Object cls, Object args) throws PickleException {
            if (cls instanceof Global g) {
                String q = g.qualified();
                if (q.equals("collections.OrderedDict") || q.equals("builtins.dict")) {
                    return new PyDict();
                }
                if (q.equals("builtins.list")) {
                    return new ArrayList<>();
                }
                return new Opaque(q);
            }
            if (cls instanceof Opaque o) {
                return new Opaque(o.type);
            }
            throw error("NEWOBJ on a " + typeName(cls));
        }

        private Object arg(Object[] a, int i, String callable) throws PickleException {
            if (i >= a.length) {
                throw error(callable + " takes at least " + (i + 1) + " arguments, got " + a.length);
            }
            return a[i];
        }

        private Object rebuildTensor(Object[] a) throws PickleException {
            // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
            if (a.length < 4) {
                throw error("_rebuild_tensor takes at least 4 arguments, got " + a.length);
            }
            if (a[0] instanceof UnsupportedTensor u) {
                return u;
            }
            if (!(a[0] instanceof StorageRef storage)) {
                throw error("tensor storage is a " + typeName(a[0]) + ", not a storage");
            }
            if (!(a[1] instanceof Long offset) || offset < 0) {
                throw error("tensor storage offset is " + describeValue(a[1]));
            }
            long[] size = longs(a[2], "size");
            long[] stride = longs(a[3], "stride");
            if (size.length != stride.length) {
                throw error("tensor size has " + size.length + " dimensions but stride has " + stride.length);
            }
            for (int i = 0; i < size.length; i++) {
                if (size[i] < 0 || stride[i] < 0) {
                    throw error("negative tensor size or stride: size " + Arrays.toString(size)
                            + ", stride " + Arrays.toString(stride));
                }
            }
            return new TensorRef(storage, offset, size, stride);
        }

        private long[] longs(Object v, String what) throws PickleException {
            Object[] items = v instanceof PyTuple t ? t.items : v instanceof List<?> l ? l.toArray() : null;
            if (items == null) {
                throw error("tensor " + what + " is a " + typeName(v) + ", not a tuple");
            }
            long[] out = new long[items.length];
            for (int i = 0; i < items.length; i++) {
                if (!(items[i] instanceof Long x)) {
                    throw error("tensor " + what + " holds a " + typeName(items[i]));
                }
                out[i] = x;
            }
            return out;
        }

        private Object persistentLoad(Object pid) throws PickleException {
            // ("storage", storage class, key, location, numel), as torch.save writes it
            if (!(pid instanceof PyTuple t) || t.items.length < 5 || !"storage".equals(t.items[0])) {
                throw error("unknown persistent id " + describeValue(pid) + " (expected a ('storage', ...) tuple)");
            }
            Object[] a = t.items;
            if (!(a[1] instanceof Global cls)) {
                throw error("storage type is a " + typeName(a[1]));
            }
            if (!(a[2] instanceof String key) || key.isEmpty() || key.contains("/") || key.contains("..")) {
                throw error("storage key is " + describeValue(a[2]));
            }
            if (!(a[4] instanceof Long numel) || numel < 0) {
                throw error("storage size is " + describeValue(a[4]));
            }
            DType dtype = cls.module().equals("torch") ? DType.ofStorageClass(cls.name()) : null;
            if (dtype == null) {
                return new UnsupportedTensor("tensor with storage type " + cls.qualified());
            }
            return new StorageRef(key, dtype, numel);
        }

        private String describeValue(Object v) {
            if (v instanceof Long || v instanceof Boolean || v == null) {
                return String.valueOf(v);
            }
            if (v instanceof String s) {
                return "'" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "'";
            }
            return "a " + typeName(v);
        }

        private PyTuple tupleOfTop(int n) throws PickleException {
            if (stack.size() - currentMark() < n) {
                throw error("stack holds too few values for a " + n + "-tuple");
            }
            Object[] items = new Object[n];
            for (int i = n - 1; i >= 0; i--) {
                items[i] = pop();
            }
            return new PyTuple(items);
        }

        private int currentMark() {
            return marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
        }

        private void push(Object v) {
            stack.add(v);
        }

        private Object pop() throws PickleException {
            if (stack.size() <= currentMark()) {
                throw error("stack underflow");
            }
            return stack.remove(stack.size() - 1);
        }

        private Object peek() throws PickleException {
            if (stack.size() <= currentMark()) {
                throw error("stack underflow");
            }
            return stack.get(stack.size() - 1);
        }

        private List<Object> popMark() throws PickleException {
            if (marks.isEmpty()) {
                throw error("no MARK on the stack");
            }
            int mark = marks.remove(marks.size() - 1);
            List<Object> view = stack.subList(mark, stack.size());
            List<Object> items = new ArrayList<>(view);
            view.clear();
            return items;
        }

        private void memoPut(long index) throws PickleException {
            memo.put(index, peek());
        }

        private void memoGet(long index) throws PickleException {
            if (!memo.containsKey(index)) {
                throw error("memo index " + index + " was never stored");
            }
            push(memo.get(index));
        }

        private long parseMemoIndex(String s) throws PickleException {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw error("bad memo index");
            }
        }

        private Object parseInt(String s) throws PickleException {
            try {
                BigInteger b = new BigInteger(s.trim());
                return b.bitLength() < 64 ? (Object) b.longValue() : b;
            } catch (NumberFormatException e) {
                throw error("bad integer literal");
            }
        }

        private int u8() throws PickleException {
            need(1);
            return in[pos++] & 0xFF;
        }

        /** A little-endian integer of 2, 4 or 8 bytes; 4 bytes are signed when {@code signed}. */
        private long le(int n, boolean signed) throws PickleException {
            need(n);
            long v = 0;
            for (int i = n - 1; i >= 0; i--) {
                v = (v << 8) | (in[pos + i] & 0xFF);
            }
            pos += n;
            if (signed && n == 4) {
                v = (int) v;
            }
            return v;
        }

        private int length(long n) throws PickleException {
            if (n < 0 || n > in.length - pos) {
                throw error("length " + (n < 0 ? Long.toUnsignedString(n) : n) + " runs past the end of the pickle ("
                        + (in.length - pos) + " bytes left)");
            }
            return (int) n;
        }

        private byte[] take(int n) throws PickleException {
            need(n);
            byte[] b = Arrays.copyOfRange(in, pos, pos + n);
            pos += n;
            return b;
        }

        private void need(int n) throws PickleException {
            if (n > in.length - pos) {
                throw error("truncated: needs " + n + " bytes, " + (in.length - pos) + " left");
            }
        }

        private String line() throws PickleException {
            int start = pos;
            while (pos < in.length && in[pos] != '\n') {
                pos++;
            }
            if (pos >= in.length) {
                throw error("truncated: unterminated line");
            }
            String s = new String(in, start, pos - start, StandardCharsets.UTF_8);
            pos++;
            return s;
        }

        /** A little-endian two's-complement integer of n bytes (LONG1 / LONG4). */
        private Object longBytes(int n) throws PickleException {
            byte[] b = take(n);
            if (n == 0) {
                return 0L;
            }
            byte[] be = new byte[n];
            for (int i = 0; i < n; i++) {
                be[i] = b[n - 1 - i];
            }
            BigInteger v = new BigInteger(be);
            return v.bitLength() < 64 ? (Object) v.longValue() : v;
        }

        private static String utf8(byte[] b) {
            return new String(b, StandardCharsets.UTF_8);
        }

        private static String latin1(byte[] b) {
            return new String(b, StandardCharsets.ISO_8859_1);
        }
    }

    /** The original key object behind a {@link PyDict} map key. */
    static Object unwrapKey(Object key) {
        return key instanceof IdentityKey ik ? ik.value() : key;
    }
}
