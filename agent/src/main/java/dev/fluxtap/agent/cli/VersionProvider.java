package dev.fluxtap.agent.cli;

import picocli.CommandLine;

/** The version from the jar manifest ("dev" when running from classes). */
public final class VersionProvider implements CommandLine.IVersionProvider {

    public static String version() {
        String v = VersionProvider.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    @Override
    public String[] getVersion() {
        return new String[] {"fluxtap-agent " + version(), "Java " + System.getProperty("java.version") + " on " + System.getProperty("os.name")};
    }
}
