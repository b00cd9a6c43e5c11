package dev.fluxtap.agent.config;

import java.util.Locale;

/**
 * How fast a capture file is replayed: {@code max} (as fast as it can be read), {@code realtime} (the recorded gaps),
 * or a factor of real time ({@code 2} = twice as fast, {@code 0.5} = half speed).
 *
 * @param factor 0 for max, else the speed-up over the recorded timing
 */
public record ReplaySpeed(double factor) {

    public static final ReplaySpeed MAX = new ReplaySpeed(0);
    public static final ReplaySpeed REALTIME = new ReplaySpeed(1);

    public ReplaySpeed {
        ConfigException.check(Double.isFinite(factor) && factor >= 0 && factor <= 1_000_000, "pcap-speed",
                "must be max, realtime or a positive factor, got " + factor);
    }

    public boolean isMax() {
        return factor == 0;
    }

    public static ReplaySpeed parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("max")) {
            return MAX;
        }
        if (t.equals("realtime")) {
            return REALTIME;
        }
        try {
            double f = Double.parseDouble(t);
            ConfigException.check(f > 0, "pcap-speed", "must be max, realtime or a positive factor, got '" + text + "'");
            return new ReplaySpeed(f);
        } catch (NumberFormatException e) {
            throw new ConfigException("pcap-speed", "must be max, realtime or a positive factor, got '" + text + "'");
        }
    }

    @Override
    public String toString() {
        return isMax() ? "max" : factor == 1 ? "realtime" : Double.toString(factor);
    }
}
