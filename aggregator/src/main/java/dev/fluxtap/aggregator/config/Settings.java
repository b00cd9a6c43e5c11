package dev.fluxtap.aggregator.config;

import java.time.Duration;

/** Validation helpers: each failure names the setting by its command-line flag so the operator knows what to fix. */
final class Settings {

    static Duration positive(String flag, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException("--" + flag + ": must be a positive duration such as 30s or 5m (got " + value + ")");
        }
        return value;
    }

    static Duration nonNegative(String flag, Duration value) {
        if (value == null || value.isNegative()) {
            throw new IllegalArgumentException("--" + flag + ": must be zero or a positive duration (got " + value + ")");
        }
        return value;
    }

    static int range(String flag, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException("--" + flag + ": must be between " + min + " and " + max + " (got " + value + ")");
        }
        return value;
    }

    static String nonBlank(String flag, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("--" + flag + ": must not be empty");
        }
        return value;
    }

    private Settings() {
    }
}
