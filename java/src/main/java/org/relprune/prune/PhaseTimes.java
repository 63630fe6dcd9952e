package org.relprune.prune;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Wall-clock and CPU time of one phase of a run, for the whole process (every thread: libtorch's
 * and our kernels' too): how busy the cores were and how much of it the kernel spent (page
 * faults of fresh allocations show up as system time). CPU times come from /proc/self/stat and
 * are NaN where it does not exist (not Linux).
 */
public record PhaseTimes(double wallSeconds, double userSeconds, double systemSeconds) {
    /** Clock ticks per second of /proc/self/stat (USER_HZ, 100 on every Linux architecture in use). */
    private static final double TICKS = 100.0;

    /** A point in time to measure a phase from. */
    public record Mark(long nanos, double user, double system) {
    }

    public static Mark mark() {
        double[] cpu = cpuSeconds();
        return new Mark(System.nanoTime(), cpu[0], cpu[1]);
    }

    /** The phase from {@code start} to now. */
    public static PhaseTimes since(Mark start) {
        Mark end = mark();
        return new PhaseTimes((end.nanos() - start.nanos()) / 1e9, end.user() - start.user(), end.system() - start.system());
    }

    /** CPU time over wall time, in percent (200 = two cores busy). */
    public double cpuPercent() {
        return 100 * (userSeconds + systemSeconds) / wallSeconds;
    }

    /** The share of the CPU time spent in the kernel, in percent. */
    public double systemPercent() {
        return 100 * systemSeconds / (userSeconds + systemSeconds);
    }

    /** User and system CPU seconds of this process so far. */
    private static double[] cpuSeconds() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // the command name (field 2) is in parentheses and may hold spaces: count after its ')'
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields 14 (utime) and 15 (stime) of the line are 12 and 13 after the name
            return new double[] {Long.parseLong(f[11]) / TICKS, Long.parseLong(f[12]) / TICKS};
        } catch (IOException | RuntimeException e) {
            return new double[] {Double.NaN, Double.NaN};
        }
    }
}
