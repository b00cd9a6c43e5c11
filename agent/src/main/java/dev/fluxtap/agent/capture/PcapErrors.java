package dev.fluxtap.agent.capture;

import java.util.List;
import java.util.Locale;

/** Maps libpcap and JNA failures to one actionable line each. */
final class PcapErrors {

    private PcapErrors() {
    }

    static CaptureException libpcapMissing(Throwable cause) {
        return new CaptureException(CaptureException.Kind.LIBPCAP_MISSING,
                "libpcap is not installed or cannot be loaded (" + firstSentence(oneLine(cause)) + "): install it (Debian/Ubuntu: apt-get install libpcap0.8;"
                        + " RHEL/Fedora: dnf install libpcap; Windows: Npcap with WinPcap API compatibility)", cause);
    }

    static CaptureException openFailed(String device, Throwable cause, List<String> knownDevices) {
        String msg = oneLine(cause);
        String lower = msg.toLowerCase(Locale.ROOT);
        if (lower.contains("operation not permitted") || lower.contains("permission denied") || lower.contains("you don't have permission")) {
            return new CaptureException(CaptureException.Kind.NO_PERMISSION,
                    "no permission to capture on " + device + " (" + msg + "): run as root or grant the capability with"
                            + " 'setcap cap_net_raw,cap_net_admin+eip $(readlink -f $(which java))' (or run the container/unit with CAP_NET_RAW)",
                    cause);
        }
        if (lower.contains("no such device") || lower.contains("doesn't exist") || lower.contains("not found")) {
            return unknownInterface(device, knownDevices, cause);
        }
        return new CaptureException(CaptureException.Kind.CAPTURE_FAILED, "cannot open capture on " + device + ": " + msg, cause);
    }

    static CaptureException unknownInterface(String device, List<String> knownDevices, Throwable cause) {
        return new CaptureException(CaptureException.Kind.UNKNOWN_INTERFACE,
                "unknown interface '" + device + "': available interfaces are " + String.join(", ", knownDevices), cause);
    }

    static CaptureException badFilter(String filter, String device, Throwable cause) {
        return new CaptureException(CaptureException.Kind.BAD_FILTER,
                "bad BPF filter '" + filter + "' on " + device + ": " + oneLine(cause) + " (see man pcap-filter)", cause);
    }

    static CaptureException badFile(String file, Throwable cause) {
        return new CaptureException(CaptureException.Kind.BAD_FILE,
                "cannot read capture file " + file + ": " + oneLine(cause) + " (expected a readable pcap or pcapng file)", cause);
    }

    private static String firstSentence(String message) {
        int end = message.indexOf(": ", message.indexOf(':') + 1);
        return end > 0 ? message.substring(0, end) : message;
    }

    static String oneLine(Throwable t) {
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return m.replace('\n', ' ').replace('\r', ' ').trim();
    }
}
