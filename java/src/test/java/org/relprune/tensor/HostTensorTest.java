package org.relprune.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class HostTensorTest {
    private static HostTensor counting(long... dims) {
        Shape s = Shape.of(dims);
        float[] v = new float[s.numelInt()];
        for (int i = 0; i < v.length; i++) {
            v[i] = i;
        }
        return new HostTensor(s, v);
    }

    @Test
    void rowsCopiesSamplesAlongTheFirstDimension() {
        HostTensor t = counting(4, 2, 3);
        HostTensor r = t.rows(1, 3);
        assertEquals(Shape.of(2, 2, 3), r.shape());
        assertEquals(6f, r.data()[0]);
        assertEquals(17f, r.data()[11]);
        r.data()[0] = -1;
        assertEquals(6f, t.data()[6], "a copy, not a view");
        assertEquals(Shape.of(0, 2, 3), t.rows(2, 2).shape());
        assertThrows(IndexOutOfBoundsException.class, () -> t.rows(3, 5));
        assertThrows(IndexOutOfBoundsException.class, () -> t.rows(2, 1));
    }

    @Test
    void concatRowsUndoesRows() {
        HostTensor t = counting(5, 3);
        HostTensor back = HostTensor.concatRows(List.of(t.rows(0, 2), t.rows(2, 3), t.rows(3, 5)));
        assertEquals(t.shape(), back.shape());
        assertArrayEquals(t.data(), back.data());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HostTensor.concatRows(List.of(counting(2, 3), counting(2, 4))));
        assertTrue(e.getMessage().contains("does not stack"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> HostTensor.concatRows(List.of()));
    }
}
