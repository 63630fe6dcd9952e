package org.relprune.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Collects the tensors created on this thread while it is open and closes them with it, so that
 * intermediate results of long runs never leak. Scopes nest; {@link #keep} hands a tensor to the
 * enclosing scope (or to nobody, at the outermost level) so it survives this one.
 */
public final class TensorScope implements AutoCloseable {
    private static final ThreadLocal<ArrayDeque<TensorScope>> STACK = ThreadLocal.withInitial(ArrayDeque::new);

    private final Set<Tensor> owned = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Thread thread = Thread.currentThread();
    private boolean closed;

    private TensorScope() {
    }

    public static TensorScope open() {
        TensorScope scope = new TensorScope();
        STACK.get().push(scope);
        return scope;
    }

    static void register(Tensor t) {
        TensorScope top = STACK.get().peek();
        if (top != null) {
            top.owned.add(t);
        }
    }

    /** Moves {@code t} out of this scope into the enclosing one; returns it. */
    public Tensor keep(Tensor t) {
        if (owned.remove(t)) {
            ArrayDeque<TensorScope> stack = STACK.get();
            boolean passed = false;
            for (TensorScope s : stack) {
                if (passed) {
                    s.owned.add(t);
                    break;
                }
                passed = s == this;
            }
        }
        return t;
    }

    /**
     * Takes {@code t} out of every scope on this thread: its owner (a cache, a model) closes it
     * itself. Returns it.
     */
    public static Tensor detach(Tensor t) {
        for (TensorScope s : STACK.get()) {
            s.owned.remove(t);
        }
        return t;
    }

    /** Number of open tensors this scope owns (for tests and leak checks). */
    public int size() {
        int n = 0;
        for (Tensor t : owned) {
            n += t.isClosed() ? 0 : 1;
        }
        return n;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("a TensorScope must be closed on the thread that opened it");
        }
        closed = true;
        ArrayDeque<TensorScope> stack = STACK.get();
        if (stack.peek() != this) {
            throw new IllegalStateException("TensorScopes closed out of order");
        }
        stack.pop();
        List<Tensor> toClose = new ArrayList<>(owned);
        owned.clear();
        RuntimeException first = null;
        for (Tensor t : toClose) {
            try {
                t.close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
