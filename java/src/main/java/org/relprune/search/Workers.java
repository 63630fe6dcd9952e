package org.relprune.search;

import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * The names of the processes that run trials, {@code pid@host} (the JVM's own name, as
 * {@link ManagementFactory#getRuntimeMXBean()} gives it), and whether one of them is known dead.
 */
public final class Workers {
    private Workers() {
    }

    /** This process's worker name. */
    public static String self() {
        return ManagementFactory.getRuntimeMXBean().getName();
    }

    /**
     * Whether {@code worker} names a process of this host that no longer runs: same host name,
     * a pid that is not this process's, and no live process with that pid, or one that started
     * after the trial was claimed ({@code started}, ISO-8601; so a reused pid is seen through).
     * Anything else (another host, a name not of that form, this very process, a live process
     * whose start is unknown) is not known dead: its trial waits for the lease.
     */
    public static boolean deadHere(String worker, String started) {
        if (worker == null) {
            return false;
        }
        int at = worker.indexOf('@');
        String me = self();
        int meAt = me.indexOf('@');
        if (at <= 0 || meAt <= 0 || !worker.substring(at + 1).equals(me.substring(meAt + 1))) {
            return false;
        }
        long pid;
        try {
            pid = Long.parseLong(worker.substring(0, at));
        } catch (NumberFormatException e) {
            return false;
        }
        if (pid == ProcessHandle.current().pid()) {
            return false;
        }
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isEmpty() || !h.get().isAlive()) {
            return true;
        }
        Optional<Instant> start = h.get().info().startInstant();
        if (start.isEmpty() || started == null) {
            return false;
        }
        try {
            // a second of slack: the start instant is rounded to the clock ticks of the process table
            return start.get().isAfter(Instant.parse(started).plusSeconds(1));
        } catch (DateTimeParseException e) {
            return false;
        }
    }
}
