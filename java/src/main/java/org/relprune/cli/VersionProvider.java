package org.relprune.cli;

import picocli.CommandLine;

/** Version of the jar (from its manifest when packaged). */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Main.class.getPackage().getImplementationVersion();
        return new String[] {"relprune " + (v == null ? "dev" : v), org.relprune.run.Backends.nativeLibraries()};
    }
}
