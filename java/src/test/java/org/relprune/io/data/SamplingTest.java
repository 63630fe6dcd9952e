package org.relprune.io.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SamplingTest {
    /** 60 samples, label i % 3 (so 20 per class). */
    private static final int[] LABELS = Arrays.stream(ClassShuffle.all(60)).map(i -> i % 3).toArray();

    @Test
    void perClassIsSeededSortedAndBalanced() {
        int[] pool = ClassShuffle.all(60);
        int[] a = Sampling.perClass(LABELS, pool, 5, 11);
        assertArrayEquals(a, Sampling.perClass(LABELS, pool, 5, 11));
        assertFalse(Arrays.equals(a, Sampling.perClass(LABELS, pool, 5, 12)));
        assertEquals(15, a.length);
        for (int c = 0; c < 3; c++) {
            int cls = c;
            assertEquals(5, Arrays.stream(a).filter(i -> LABELS[i] == cls).count());
        }
        int[] sorted = a.clone();
        Arrays.sort(sorted);
        assertArrayEquals(sorted, a);
        assertEquals(15, Arrays.stream(a).distinct().count());
    }

    @Test
    void perClassDependsOnThePoolAsASet() {
        int[] pool = {0, 3, 6, 9, 12, 15, 1, 4, 7, 10};
        int[] reversed = new int[pool.length];
        for (int i = 0; i < pool.length; i++) {
            reversed[i] = pool[pool.length - 1 - i];
        }
        int[] a = Sampling.perClass(LABELS, pool, 2, 5);
        assertArrayEquals(a, Sampling.perClass(LABELS, reversed, 2, 5));
        // Only classes 0 and 1 are in the pool, and only pool members are drawn.
        assertEquals(4, a.length);
        for (int i : a) {
            assertTrue(Arrays.stream(pool).anyMatch(p -> p == i));
        }
    }

    @Test
    void perClassFailsForASmallClass() {
        int[] pool = {0, 3, 6, 1};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sampling.perClass(LABELS, pool, 2, 1));
        assertTrue(e.getMessage().contains("class 1 has 1 samples") && e.getMessage().contains("2 requested"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Sampling.perClass(LABELS, pool, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> Sampling.perClass(LABELS, new int[] {0, 0}, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> Sampling.perClass(LABELS, new int[] {60}, 1, 1));
    }

    @Test
    void classSubset() {
        int[] pool = {10, 2, 5, 7, 8};
        assertArrayEquals(new int[] {2, 5, 8}, Sampling.classSubset(LABELS, pool, new int[] {2}));
        assertArrayEquals(new int[] {2, 5, 7, 8, 10}, Sampling.classSubset(LABELS, pool, new int[] {1, 2}));
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> Sampling.classSubset(LABELS, new int[] {0, 3}, new int[] {1, 2}));
        assertTrue(empty.getMessage().contains("empty class subset"), empty.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Sampling.classSubset(LABELS, pool, new int[] {3}));
        assertThrows(IllegalArgumentException.class, () -> Sampling.classSubset(LABELS, pool, new int[] {-1}));
    }

    @Test
    void firstClasses() {
        assertArrayEquals(new int[] {0, 1, 2}, Sampling.firstClasses(3, 10));
        assertArrayEquals(new int[] {0}, Sampling.firstClasses(1, 1));
        assertThrows(IllegalArgumentException.class, () -> Sampling.firstClasses(0, 10));
        assertThrows(IllegalArgumentException.class, () -> Sampling.firstClasses(11, 10));
    }

    @Test
    void stratifiedKeepsSmallSetsWholeAndBalancesLargeOnes() {
        assertArrayEquals(ClassShuffle.all(60), Sampling.stratified(LABELS, 60, 1));
        assertArrayEquals(ClassShuffle.all(60), Sampling.stratified(LABELS, 1000, 1));
        int[] s = Sampling.stratified(LABELS, 31, 4);
        assertEquals(30, s.length, "31 / 3 classes = 10 each");
        for (int c = 0; c < 3; c++) {
            int cls = c;
            assertEquals(10, Arrays.stream(s).filter(i -> LABELS[i] == cls).count());
        }
        assertArrayEquals(Sampling.perClass(LABELS, ClassShuffle.all(60), 10, 4), s, "drawn as perClass draws");
        int[] twoClasses = Arrays.stream(LABELS).map(l -> l == 2 ? 1 : l).toArray();
        assertEquals(30, Sampling.stratified(twoClasses, 30, 4).length, "the limit is shared by the classes present");
        assertThrows(IllegalArgumentException.class, () -> Sampling.stratified(LABELS, 0, 4));
    }
}
