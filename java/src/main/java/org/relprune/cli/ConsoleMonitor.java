package org.relprune.cli;

import java.io.PrintWriter;
import java.util.function.IntConsumer;
import org.relprune.run.RunMonitor;

/** A run's news as lines on stderr and its phases as progress bars (one open at a time). */
final class ConsoleMonitor implements RunMonitor, AutoCloseable {
    private final PrintWriter err;
    private Progress open;

    ConsoleMonitor(PrintWriter err) {
        this.err = err;
    }

    @Override
    public void say(String line) {
        close();
        err.println(line);
    }

    @Override
    public IntConsumer phase(String name, int total) {
        close();
        open = new Progress(name, total);
        return open::step;
    }

    @Override
    public Training training(int epochs) {
        close();
        return new TrainingProgress(epochs);
    }

    @Override
    public void close() {
        if (open != null) {
            open.close();
            open = null;
        }
    }
}
