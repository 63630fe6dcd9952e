package org.relprune.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchSplitterTest {
    /** Work that "runs out of memory" above {@code fits} samples and otherwise returns its range. */
    private static BatchSplitter.BatchWork<int[]> fitting(int fits, List<int[]> attempts) {
        return (from, to) -> {
            attempts.add(new int[] {from, to});
            if (to - from > fits) {
                throw new DeviceOutOfMemoryException("cannot allocate " + (to - from) + " samples");
            }
            return new int[] {from, to};
        };
    }

    @Test
    void aBatchThatDoesNotFitIsHalvedUntilItDoesAndLaterBatchesKeepTheSize() {
        List<String> log = new ArrayList<>();
        List<int[]> attempts = new ArrayList<>();
        BatchSplitter s = new BatchSplitter("test job", 8, log::add);
        List<int[]> ranges = s.map(11, fitting(3, attempts));
        // 8 fails, 4 fails, then batches of 2 cover 0..11 in order
        List<String> got = ranges.stream().map(r -> r[0] + ".." + r[1]).toList();
        assertEquals(List.of("0..2", "2..4", "4..6", "6..8", "8..10", "10..11"), got);
        assertEquals(2, s.batchSize());
        assertEquals(8, attempts.size(), "two failed attempts, then six that fit");
        assertEquals(2, log.size(), String.join("\n", log));
        assertTrue(log.get(0).startsWith("test job: device out of memory at batch 8, retrying in batches of 4 (cannot allocate 8 samples)"), log.get(0));
        assertTrue(log.get(1).startsWith("test job: device out of memory at batch 4, retrying in batches of 2"), log.get(1));
    }

    @Test
    void workThatFitsRunsInTheGivenBatchesWithoutRetries() {
        List<String> log = new ArrayList<>();
        List<int[]> attempts = new ArrayList<>();
        List<int[]> ranges = new BatchSplitter("fits", 4, log::add).map(10, fitting(100, attempts));
        assertEquals(List.of("0..4", "4..8", "8..10"), ranges.stream().map(r -> r[0] + ".." + r[1]).toList());
        assertEquals(3, attempts.size());
        assertTrue(log.isEmpty());
        assertTrue(new BatchSplitter("empty", 4, log::add).map(0, fitting(1, attempts)).isEmpty());
    }

    @Test
    void anOddBatchIsSplitIntoTheLargerHalfFirst() {
        List<int[]> attempts = new ArrayList<>();
        List<int[]> ranges = new BatchSplitter("odd", 5, m -> { }).map(5, fitting(3, attempts));
        assertEquals(List.of("0..3", "3..5"), ranges.stream().map(r -> r[0] + ".." + r[1]).toList());
    }

    @Test
    void oneSampleThatDoesNotFitIsAClearErrorWithTheCause() {
        List<int[]> attempts = new ArrayList<>();
        BatchSplitter s = new BatchSplitter("LRP of a huge model", 4, m -> { });
        DeviceOutOfMemoryException e = assertThrows(DeviceOutOfMemoryException.class, () -> s.map(3, fitting(0, attempts)));
        assertEquals("LRP of a huge model: the device runs out of memory even for one sample: cannot allocate 1 samples", e.getMessage());
        assertSame(DeviceOutOfMemoryException.class, e.getCause().getClass());
        assertEquals(List.of("0..3", "0..2", "0..1"), attempts.stream().map(r -> r[0] + ".." + r[1]).toList());
    }

    @Test
    void otherFailuresAreNotRetried() {
        List<int[]> attempts = new ArrayList<>();
        BatchSplitter s = new BatchSplitter("job", 4, m -> { });
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.map(8, (from, to) -> {
            attempts.add(new int[] {from, to});
            throw new IllegalStateException("a bug, not memory");
        }));
        assertEquals("a bug, not memory", e.getMessage());
        assertEquals(1, attempts.size());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> new BatchSplitter("job", 0, m -> { }));
        assertEquals("job: batch size must be at least 1, got 0", bad.getMessage());
    }
}
