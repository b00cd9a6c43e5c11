package dev.fluxtap.agent.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** The local host name, the default agent id. */
public final class HostNames {

    private HostNames() {
    }

    public static String local() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env.trim();
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown-host";
        }
    }
}
