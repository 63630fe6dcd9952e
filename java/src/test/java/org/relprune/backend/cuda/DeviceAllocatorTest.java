package org.relprune.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The caching allocator and the refcounted storage, driven by a fake device (no GPU needed). */
class DeviceAllocatorTest {
    /** A device with a fixed capacity; addresses never repeat so reuse is visible. */
    static final class FakeDevice implements DeviceAllocator.RawDeviceMemory {
        final long capacity;
        final Map<Long, Long> blocks = new HashMap<>();
        long used;
        long next = 0x1000;
        int mallocs;
        int frees;
        int syncs;

        FakeDevice(long capacity) {
            this.capacity = capacity;
        }

        @Override
        public long allocate(long bytes) {
            if (used + bytes > capacity) {
                return 0;
            }
            mallocs++;
            long a = next;
            next += bytes + 256;
            blocks.put(a, bytes);
            used += bytes;
            return a;
        }

        @Override
        public void free(long address) {
            Long b = blocks.remove(address);
            if (b == null) {
                throw new AssertionError("free of unknown or already freed address " + address);
            }
            used -= b;
            frees++;
        }

        @Override
        public void synchronize() {
            syncs++;
        }

        @Override
        public String describe() {
            return "fake device has " + (capacity - used) + " bytes free";
        }
    }

    @Test
    void sizeClasses() {
        assertEquals(512, DeviceAllocator.roundSize(0));
        assertEquals(512, DeviceAllocator.roundSize(1));
        assertEquals(512, DeviceAllocator.roundSize(512));
        assertEquals(1024, DeviceAllocator.roundSize(513));
        assertEquals(1L << 20, DeviceAllocator.roundSize(1L << 20));
        assertEquals((1L << 20) + (1L << 18), DeviceAllocator.roundSize((1L << 20) + 1));
        assertEquals(2L << 20, DeviceAllocator.roundSize((2L << 20) - 1));
        assertEquals(2L << 20, DeviceAllocator.roundSize(2L << 20));
        assertEquals((2L << 20) + (1L << 19), DeviceAllocator.roundSize((2L << 20) + (1L << 19)));
        assertEquals(3L << 20, DeviceAllocator.roundSize((2L << 20) + (1L << 19) + 1));
        for (long b = 1; b < (1L << 34); b = b * 3 + 7) {
            long r = DeviceAllocator.roundSize(b);
            assertTrue(r >= b && r <= Math.max(512, b + b / 4 + 511), b + " -> " + r);
            assertEquals(r, DeviceAllocator.roundSize(r), "a size class is its own class: " + r);
        }
        assertThrows(IllegalArgumentException.class, () -> DeviceAllocator.roundSize(-1));
    }

    @Test
    void releasedBlocksAreReusedBySizeClass() {
        FakeDevice dev = new FakeDevice(1L << 30);
        DeviceAllocator a = new DeviceAllocator(dev);
        DeviceAllocator.Block b1 = a.allocate(1000);
        long addr = b1.address();
        assertEquals(1024, a.inUseBytes());
        b1.release();
        assertEquals(0, a.inUseBytes());
        assertEquals(1024, a.cachedBytes());
        DeviceAllocator.Block b2 = a.allocate(900);
        assertEquals(addr, b2.address(), "same size class: the cached block comes back");
        assertEquals(1, dev.mallocs);
        DeviceAllocator.Block b3 = a.allocate(5000);
        assertNotEquals(addr, b3.address());
        assertEquals(2, dev.mallocs);
        assertEquals(1024 + 5120, a.peakInUseBytes());
        b2.release();
        b3.release();
        assertEquals(1024 + 5120, a.reservedBytes());
        a.freeCached();
        assertEquals(0, a.reservedBytes());
        assertEquals(2, dev.frees);
        assertTrue(dev.syncs >= 1, "cached blocks are freed only after the stream drained");
    }

    @Test
    void viewsShareTheBlockUntilTheLastRelease() {
        FakeDevice dev = new FakeDevice(1L << 30);
        DeviceAllocator a = new DeviceAllocator(dev);
        CudaStorage base = new CudaStorage(a.allocate(4096), 0);
        CudaStorage view = base.view(400);
        CudaStorage viewOfView = view.view(100);
        assertEquals(base.address() + 400, view.address());
        assertEquals(base.address() + 500, viewOfView.address());
        base.release();
        assertEquals(1, a.liveBlocks(), "views keep the block alive");
        assertThrows(IllegalStateException.class, base::address);
        long addr = view.address();
        view.release();
        view.release(); // harmless twice
        assertEquals(addr + 100, viewOfView.address());
        viewOfView.release();
        assertEquals(0, a.liveBlocks());
        assertEquals(4096, a.cachedBytes());
        assertThrows(IllegalStateException.class, viewOfView::address);
    }

    @Test
    void aLimitIsAnOutOfMemoryBelowTheDevicesSize() {
        FakeDevice dev = new FakeDevice(1 << 20);
        DeviceAllocator a = new DeviceAllocator(dev);
        a.setLimit(8192);
        DeviceAllocator.Block first = a.allocate(4096);
        DeviceAllocator.Block cached = a.allocate(4096);
        cached.release(); // 8 KiB reserved: the limit is reached, 4 KiB of it cached
        DeviceAllocator.Block other = a.allocate(3000); // a new size class: the cached block is freed to make room
        assertEquals(1, dev.frees);
        assertEquals(4096 + 3072, a.reservedBytes());
        CudaOutOfMemoryException e = assertThrows(CudaOutOfMemoryException.class, () -> a.allocate(2048));
        assertTrue(e.getMessage().contains("under its limit of 8.0 KiB"), e.getMessage());
        // the device itself had room: only the limit refused it; lifting the limit lets it through
        a.setLimit(Long.MAX_VALUE);
        DeviceAllocator.Block big = a.allocate(2048);
        assertEquals(Long.MAX_VALUE, a.limit());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> a.setLimit(0));
        assertTrue(bad.getMessage().contains("must be positive"), bad.getMessage());
        big.release();
        other.release();
        first.release();
    }

    @Test
    void outOfMemoryFreesTheCacheRetriesOnceThenFailsClearly() {
        FakeDevice dev = new FakeDevice(10 * 1024);
        DeviceAllocator a = new DeviceAllocator(dev);
        DeviceAllocator.Block small = a.allocate(4096);
        DeviceAllocator.Block other = a.allocate(4096);
        other.release(); // cached: 8 KiB reserved, 4 KiB in use
        DeviceAllocator.Block big = a.allocate(6000); // needs the cached block back
        assertEquals(1, dev.frees);
        assertEquals(4096 + 6144, a.inUseBytes());
        CudaOutOfMemoryException e = assertThrows(CudaOutOfMemoryException.class, () -> a.allocate(8192));
        assertTrue(e.getMessage().startsWith("CUDA out of memory: cannot allocate 8.0 KiB (request 8192 bytes)"), e.getMessage());
        assertTrue(e.getMessage().contains("fake device has"), e.getMessage());
        // still usable after the failure
        big.release();
        DeviceAllocator.Block again = a.allocate(6000);
        again.release();
        small.release();
    }

    @Test
    void freeAllGivesEverythingBackAndLaterUseFailsLoudly() {
        FakeDevice dev = new FakeDevice(1L << 30);
        DeviceAllocator a = new DeviceAllocator(dev);
        CudaStorage open = new CudaStorage(a.allocate(100), 0);
        CudaStorage cached = new CudaStorage(a.allocate(2048), 0);
        cached.release();
        a.freeAll();
        assertTrue(dev.blocks.isEmpty(), "every block freed");
        assertEquals(0, a.reservedBytes());
        IllegalStateException e = assertThrows(IllegalStateException.class, open::address);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> a.allocate(10));
        open.release(); // harmless after close
        a.freeAll(); // idempotent
        assertEquals(2, dev.frees);
    }
}
