package org.relprune.backend.cpu;

import org.bytedeco.javacpp.Loader;

/**
 * Puts libtorch's CPU library (330 MB) into JavaCPP's cache before anything loads libtorch. When
 * JavaCPP extracted it as part of loading it, the JVM died in dlopen on every first run with a
 * fresh cache (SIGSEGV in pthread_mutex_lock; seen on the development machine, 2026-12-07); with
 * the file extracted first, the same load works. A file already in the cache is only checked.
 */
final class LibtorchExtraction {
    private static boolean done;

    private LibtorchExtraction() {
    }

    static synchronized void ensureExtracted() {
        if (done) {
            return;
        }
        done = true;
        try {
            // a class literal does not initialize the class: libtorch is not loaded here
            Loader.cacheResource(org.bytedeco.pytorch.global.torch.class, Loader.getPlatform() + "/libtorch_cpu.so");
        } catch (Exception | UnsatisfiedLinkError e) {
            // no such resource on this platform, or no cache: JavaCPP's own loading decides
        }
    }
}
