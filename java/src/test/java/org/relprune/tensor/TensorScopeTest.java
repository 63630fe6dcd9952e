package org.relprune.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TensorScopeTest {
    private static final class CountingStorage implements Storage {
        final AtomicInteger released;

        CountingStorage(AtomicInteger released) {
            this.released = released;
        }

        @Override
        public void release() {
            released.incrementAndGet();
        }
    }

    private static Tensor tensor(AtomicInteger released) {
        return new Tensor(Shape.of(2), DType.F32, Device.CPU, new CountingStorage(released));
    }

    @Test
    void scopeClosesWhatItOwnsExceptKeptTensors() {
        AtomicInteger released = new AtomicInteger();
        Tensor kept;
        try (TensorScope outer = TensorScope.open()) {
            try (TensorScope inner = TensorScope.open()) {
                tensor(released);
                tensor(released);
                kept = inner.keep(tensor(released));
                assertEquals(2, inner.size());
            }
            assertEquals(2, released.get());
            assertFalse(kept.isClosed());
            assertEquals(1, outer.size());
        }
        assertEquals(3, released.get());
        assertTrue(kept.isClosed());
    }

    @Test
    void useAfterCloseFailsLoudlyAndDoubleCloseIsHarmless() {
        AtomicInteger released = new AtomicInteger();
        Tensor t = tensor(released);
        t.close();
        t.close();
        assertEquals(1, released.get());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.storage(CountingStorage.class));
        assertTrue(e.getMessage().contains("used after close"));
    }

    @Test
    void shapesRejectNegativeDimensions() {
        assertThrows(IllegalArgumentException.class, () -> Shape.of(2, -1));
        assertEquals(24, Shape.of(2, 3, 4).numel());
        assertEquals(12, Shape.of(2, 3, 4).numelFrom(1));
    }
}
