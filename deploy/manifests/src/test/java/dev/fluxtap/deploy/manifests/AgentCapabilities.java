package dev.fluxtap.deploy.manifests;

import java.util.Collection;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The agent's Linux capabilities as docs/OPERATIONS.md states them; every deployment must grant exactly these.
 * Names are kept without the CAP_ prefix, as Kubernetes and Compose spell them.
 */
final class AgentCapabilities {
    /** Capture (NET_RAW, NET_ADMIN) and socket-owner attribution through /proc (SYS_PTRACE, DAC_READ_SEARCH). */
    static final Set<String> DEFAULT = Set.of("NET_RAW", "NET_ADMIN", "SYS_PTRACE", "DAC_READ_SEARCH");
    /** Added only when the operator opts in to TCP statistics inside other network namespaces. */
    static final String NAMESPACES_OPT_IN = "SYS_ADMIN";

    private AgentCapabilities() {
    }

    /** {@code CAP_NET_RAW}, {@code cap_net_raw} and {@code NET_RAW} all become {@code NET_RAW}. */
    static String normalize(String capability) {
        String upper = capability.trim().toUpperCase(Locale.ROOT);
        return upper.startsWith("CAP_") ? upper.substring(4) : upper;
    }

    static Set<String> normalize(Collection<?> capabilities) {
        Set<String> names = new TreeSet<>();
        for (Object capability : capabilities) {
            names.add(normalize(String.valueOf(capability)));
        }
        return names;
    }

    static Set<String> withOptIn() {
        Set<String> names = new TreeSet<>(DEFAULT);
        names.add(NAMESPACES_OPT_IN);
        return names;
    }
}
