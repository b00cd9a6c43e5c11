package dev.fluxtap.aggregator.serve.rest;

import dev.fluxtap.aggregator.decode.IpAddresses;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Typed, validated access to a request's query parameters. Unknown or repeated parameters are refused too. */
final class Params {

    private final Map<String, List<String>> values;

    Params(String uri, Set<String> allowed) {
        this.values = new QueryStringDecoder(uri).parameters();
        for (Map.Entry<String, List<String>> e : values.entrySet()) {
            if (!allowed.contains(e.getKey())) {
                throw new BadParameter(e.getKey(), "unknown parameter '" + e.getKey() + "'; allowed: " + String.join(", ", allowed.stream().sorted().toList()));
            }
            if (e.getValue().size() > 1) {
                throw new BadParameter(e.getKey(), "parameter '" + e.getKey() + "' given more than once");
            }
        }
    }

    String text(String name) {
        List<String> v = values.get(name);
        return v == null || v.get(0).isEmpty() ? null : v.get(0);
    }

    String oneOf(String name, List<String> choices, String fallback) {
        String v = text(name);
        if (v == null) {
            return fallback;
        }
        if (!choices.contains(v)) {
            throw new BadParameter(name, name + " must be one of " + String.join("|", choices) + " (got '" + v + "')");
        }
        return v;
    }

    Integer integer(String name, int min, int max) {
        String v = text(name);
        if (v == null) {
            return null;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) {
                throw new BadParameter(name, name + " must be between " + min + " and " + max + " (got " + v + ")");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new BadParameter(name, name + " must be an integer between " + min + " and " + max + " (got '" + v + "')");
        }
    }

    int integer(String name, int min, int max, int fallback) {
        Integer v = integer(name, min, max);
        return v == null ? fallback : v;
    }

    String ip(String name) {
        String v = text(name);
        if (v == null) {
            return null;
        }
        return IpAddresses.normalize(v).orElseThrow(() -> new BadParameter(name, name + " must be an IPv4 or IPv6 address (got '" + v + "')"));
    }

    /** An ISO-8601 instant such as 2026-11-22T03:00:00Z. */
    Long instantMicros(String name) {
        String v = text(name);
        if (v == null) {
            return null;
        }
        try {
            Instant i = Instant.parse(v);
            return i.getEpochSecond() * 1_000_000L + i.getNano() / 1000;
        } catch (DateTimeParseException e) {
            throw new BadParameter(name, name + " must be an ISO-8601 instant such as 2026-01-31T12:00:00Z (got '" + v + "')");
        }
    }

    /** A duration such as 10s, 5m, 1h. */
    Duration duration(String name, Duration fallback) {
        String v = text(name);
        if (v == null) {
            return fallback;
        }
        if (!v.matches("[1-9][0-9]{0,6}[smh]")) {
            throw new BadParameter(name, name + " must be a duration such as 10s, 5m or 1h (got '" + v + "')");
        }
        long n = Long.parseLong(v.substring(0, v.length() - 1));
        return switch (v.charAt(v.length() - 1)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    /** A port or an inclusive range such as 9000-9001. */
    int[] portRange(String name) {
        String v = text(name);
        if (v == null) {
            return null;
        }
        String[] parts = v.split("-", -1);
        try {
            if (parts.length == 1 || parts.length == 2) {
                int lo = Integer.parseInt(parts[0]);
                int hi = parts.length == 2 ? Integer.parseInt(parts[1]) : lo;
                if (lo >= 0 && hi <= 65535 && lo <= hi) {
                    return new int[] {lo, hi};
                }
            }
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw new BadParameter(name, name + " must be a port or a range such as 9000-9001 within 0-65535 (got '" + v + "')");
    }
}
