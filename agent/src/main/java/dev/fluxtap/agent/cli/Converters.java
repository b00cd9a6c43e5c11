package dev.fluxtap.agent.cli;

import dev.fluxtap.agent.config.ConfigException;
import dev.fluxtap.agent.config.ReplaySpeed;
import dev.fluxtap.agent.config.WireFormat;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Function;
import picocli.CommandLine;

/** Picocli converters for the value syntaxes of the settings (the standalone's command line uses them too). */
public final class Converters {

    private Converters() {
    }

    /** {@code 100ms}, {@code 5s}, {@code 2m}, {@code 1h}, or ISO-8601 ({@code PT5S}). */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            try {
                if (v.startsWith("pt") || v.startsWith("p")) {
                    return Duration.parse(value.trim().toUpperCase(Locale.ROOT));
                }
                if (v.endsWith("ms")) {
                    return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2).trim()));
                }
                long n = Long.parseLong(v.substring(0, v.length() - 1).trim());
                return switch (v.charAt(v.length() - 1)) {
                    case 's' -> Duration.ofSeconds(n);
                    case 'm' -> Duration.ofMinutes(n);
                    case 'h' -> Duration.ofHours(n);
                    default -> throw new CommandLine.TypeConversionException("'" + value + "' is not a duration (e.g. 100ms, 5s, 2m)");
                };
            } catch (RuntimeException e) {
                if (e instanceof CommandLine.TypeConversionException t) {
                    throw t;
                }
                throw new CommandLine.TypeConversionException("'" + value + "' is not a duration (e.g. 100ms, 5s, 2m)");
            }
        }
    }

    /** A size in bytes with an optional k/m/g/t (binary) suffix: {@code 4m}, {@code 65536}. */
    static long parseSize(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT).replace("ib", "").replace("b", "");
        try {
            long multiplier = 1;
            char last = v.isEmpty() ? ' ' : v.charAt(v.length() - 1);
            if (last == 'k' || last == 'm' || last == 'g' || last == 't') {
                multiplier = 1L << (10 * ("kmgt".indexOf(last) + 1));
                v = v.substring(0, v.length() - 1).trim();
            }
            return Math.multiplyExact(Long.parseLong(v), multiplier);
        } catch (RuntimeException e) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a size in bytes (e.g. 65536, 64k, 4m)");
        }
    }

    public static final class SizeConverter implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            long bytes = parseSize(value);
            if (bytes > Integer.MAX_VALUE) {
                throw new CommandLine.TypeConversionException("'" + value + "' is too large (at most 2g)");
            }
            return (int) bytes;
        }
    }

    static final class LongSizeConverter implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return parseSize(value);
        }
    }

    /** Bytes per second: a size, optionally followed by {@code /s} ({@code 16m/s}). */
    static final class RateConverter implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            String v = value.trim();
            return parseSize(v.toLowerCase(Locale.ROOT).endsWith("/s") ? v.substring(0, v.length() - 2) : v);
        }
    }

    /** A setting's own parser as a converter: what it finds wrong becomes picocli's message about the option. */
    private abstract static class SettingConverter<T> implements CommandLine.ITypeConverter<T> {
        private final Function<String, T> parse;

        SettingConverter(Function<String, T> parse) {
            this.parse = parse;
        }

        @Override
        public T convert(String value) {
            try {
                return parse.apply(value);
            } catch (ConfigException e) {
                throw new CommandLine.TypeConversionException(e.problem());
            }
        }
    }

    static final class SpeedConverter extends SettingConverter<ReplaySpeed> {
        SpeedConverter() {
            super(ReplaySpeed::parse);
        }
    }

    static final class WireFormatConverter extends SettingConverter<WireFormat> {
        WireFormatConverter() {
            super(WireFormat::parse);
        }
    }
}
