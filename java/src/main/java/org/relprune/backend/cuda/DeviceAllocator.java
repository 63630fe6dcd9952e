package org.relprune.backend.cuda;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A caching allocator for device memory. Blocks come from {@link RawDeviceMemory} (cudaMalloc on
 * the GPU) in rounded size classes and go back into a free list of their class when their last
 * user releases them, so a forward pass that frees and allocates the same activation sizes layer
 * after layer stops calling cudaMalloc/cudaFree after the first pass.
 *
 * <p>Size classes: requests are rounded up to a multiple of 512 bytes up to 1 MiB; above that to
 * the next of 2^k, 1.25 * 2^k, 1.5 * 2^k, 1.75 * 2^k (at most 25% slack, few classes).
 *
 * <p>Reuse is safe without events because every user of a block runs on the backend's one
 * stream: work queued after a block is handed out again runs after the work that used it before.
 *
 * <p>When the raw allocation reports out of memory, the cached blocks are freed and the
 * allocation retried once; a second failure throws {@link CudaOutOfMemoryException}. An optional
 * limit caps the raw memory it reserves (to share a device, or to test what runs out of memory)
 * and is handled the same way.
 * Thread-safe; not tied to CUDA (tests drive it with a fake {@link RawDeviceMemory}).
 */
public final class DeviceAllocator {
    /** Granularity of small blocks (and the smallest block: zero-size tensors get one too). */
    public static final long SMALL_GRANULE = 512;
    /** Above this size, blocks are rounded to quarter steps between powers of two. */
    public static final long LARGE_THRESHOLD = 1L << 20;

    /** The raw memory the allocator caches (cudaMalloc / cudaFree on the device). */
    public interface RawDeviceMemory {
        /** Allocates {@code bytes}; returns the address, or 0 when the device is out of memory. */
        long allocate(long bytes);

        void free(long address);

        /** Waits for all queued work that may still use memory (before cached blocks are freed). */
        void synchronize();

        /** A short note on the device's free memory for error messages (may be empty). */
        String describe();
    }

    /** A block of device memory with a reference count; views of one tensor share it. */
    public static final class Block {
        private final DeviceAllocator owner;
        private final long address;
        private final long size;
        private int refs;

        private Block(DeviceAllocator owner, long address, long size) {
            this.owner = owner;
            this.address = address;
            this.size = size;
        }

        /** Device address; fails loudly once the block went back to the allocator or it closed. */
        public long address() {
            synchronized (owner) {
                if (refs <= 0) {
                    throw new IllegalStateException("device memory block used after it was released");
                }
                if (owner.closed) {
                    throw new IllegalStateException("CUDA backend is closed: its device memory is gone");
                }
                return address;
            }
        }

        /** Rounded size in bytes. */
        public long size() {
            return size;
        }

        public DeviceAllocator owner() {
            return owner;
        }

        /** One more reference (a view). */
        public void retain() {
            synchronized (owner) {
                if (refs <= 0) {
                    throw new IllegalStateException("device memory block retained after it was released");
                }
                refs++;
            }
        }

        /** One reference fewer; the last one returns the block to the allocator. */
        public void release() {
            owner.releaseBlock(this);
        }
    }

    private final RawDeviceMemory raw;
    private final Map<Long, ArrayDeque<Block>> free = new HashMap<>();
    private final Set<Block> live = Collections.newSetFromMap(new IdentityHashMap<>());
    private long inUseBytes;
    private long peakInUseBytes;
    private long reservedBytes;
    private long cachedBytes;
    private long limitBytes = Long.MAX_VALUE;
    private long rawAllocations;
    private boolean closed;

    public DeviceAllocator(RawDeviceMemory raw) {
        this.raw = raw;
    }

    /** The size class of a request: what a block for {@code bytes} really holds. */
    public static long roundSize(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("negative allocation size " + bytes);
        }
        if (bytes <= LARGE_THRESHOLD) {
            return Math.max(SMALL_GRANULE, (bytes + SMALL_GRANULE - 1) / SMALL_GRANULE * SMALL_GRANULE);
        }
        long pow = Long.highestOneBit(bytes - 1); // largest power of two < bytes
        long step = pow / 4;
        return Math.addExact(pow, Math.multiplyExact((bytes - pow + step - 1) / step, step));
    }

    /** A block of at least {@code bytes} with one reference. */
    public synchronized Block allocate(long bytes) {
        if (closed) {
            throw new IllegalStateException("CUDA backend is closed: cannot allocate device memory");
        }
        long size = roundSize(bytes);
        ArrayDeque<Block> list = free.get(size);
        Block b = list == null ? null : list.pollLast();
        if (b != null) {
            cachedBytes -= size;
        } else {
            long address = rawWithinLimit(size);
            if (address == 0) {
                freeCached();
                address = rawWithinLimit(size);
                if (address == 0) {
                    String limit = limitBytes == Long.MAX_VALUE ? "" : " under its limit of " + mib(limitBytes);
                    throw new CudaOutOfMemoryException(String.format(java.util.Locale.ROOT,
                            "CUDA out of memory: cannot allocate %s (request %d bytes)%s; this backend holds %s in tensors (peak %s)%s",
                            mib(size), bytes, limit, mib(inUseBytes), mib(peakInUseBytes),
                            raw.describe().isEmpty() ? "" : "; " + raw.describe()));
                }
            }
            b = new Block(this, address, size);
            reservedBytes += size;
            rawAllocations++;
        }
        b.refs = 1;
        live.add(b);
        inUseBytes += size;
        peakInUseBytes = Math.max(peakInUseBytes, inUseBytes);
        return b;
    }

    /** A raw allocation, or 0 when the device or the limit has no room for it. */
    private long rawWithinLimit(long size) {
        if (reservedBytes + size > limitBytes) {
            return 0;
        }
        return raw.allocate(size);
    }

    /**
     * Caps the raw memory this allocator reserves (cached blocks included) at {@code bytes};
     * {@code Long.MAX_VALUE} for none. Memory already reserved stays; only new raw allocations
     * are refused once they would exceed the cap.
     */
    public synchronized void setLimit(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("device memory limit must be positive, got " + bytes + " bytes");
        }
        limitBytes = bytes;
    }

    /** The cap set by {@link #setLimit}, or {@code Long.MAX_VALUE}. */
    public synchronized long limit() {
        return limitBytes;
    }

    private synchronized void releaseBlock(Block b) {
        if (b.refs <= 0) {
            throw new IllegalStateException("device memory block released twice");
        }
        if (--b.refs > 0) {
            return;
        }
        if (closed) {
            return; // freeAll already gave the memory back
        }
        live.remove(b);
        inUseBytes -= b.size;
        free.computeIfAbsent(b.size, k -> new ArrayDeque<>()).addLast(b);
        cachedBytes += b.size;
    }

    /** Frees the cached (unused) blocks; blocks in use stay. */
    public synchronized void freeCached() {
        if (cachedBytes == 0) {
            return;
        }
        raw.synchronize();
        for (ArrayDeque<Block> list : free.values()) {
            for (Block b : list) {
                raw.free(b.address);
                reservedBytes -= b.size;
            }
        }
        free.clear();
        cachedBytes = 0;
    }

    /**
     * Frees every block, cached or in use; later use of a tensor fails loudly, a later release is
     * harmless. Idempotent.
     */
    public synchronized void freeAll() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException first = null;
        try {
            raw.synchronize();
        } catch (RuntimeException e) {
            first = e;
        }
        java.util.List<Block> all = new java.util.ArrayList<>(live);
        for (ArrayDeque<Block> list : free.values()) {
            all.addAll(list);
        }
        for (Block b : all) {
            try {
                raw.free(b.address);
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        free.clear();
        live.clear();
        cachedBytes = 0;
        inUseBytes = 0;
        reservedBytes = 0;
        if (first != null) {
            throw first;
        }
    }

    /** Number of blocks held by tensors (for leak checks). */
    public synchronized int liveBlocks() {
        return live.size();
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    /** Bytes in blocks held by tensors (rounded sizes). */
    public synchronized long inUseBytes() {
        return inUseBytes;
    }

    /** Highest {@link #inUseBytes()} so far. */
    public synchronized long peakInUseBytes() {
        return peakInUseBytes;
    }

    /** Bytes obtained from the device and not yet given back (in use + cached). */
    public synchronized long reservedBytes() {
        return reservedBytes;
    }

    /** Bytes in free blocks kept for reuse. */
    public synchronized long cachedBytes() {
        return cachedBytes;
    }

    /** Number of raw (cudaMalloc) allocations so far. */
    public synchronized long rawAllocations() {
        return rawAllocations;
    }

    /** Starts a new peak measurement from the current use. */
    public synchronized void resetPeak() {
        peakInUseBytes = inUseBytes;
    }

    /** A byte count for messages: "512 B", "8.0 KiB", "1.5 MiB", "2.00 GiB". */
    static String mib(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        if (bytes < (1L << 20)) {
            return String.format(java.util.Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        }
        if (bytes < (1L << 30)) {
            return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
        }
        return String.format(java.util.Locale.ROOT, "%.2f GiB", bytes / (1024.0 * 1024.0 * 1024.0));
    }
}
