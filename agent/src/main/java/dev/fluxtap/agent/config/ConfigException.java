package dev.fluxtap.agent.config;

/** A setting with a value the agent cannot run with. {@link #setting()} is the long flag name without dashes. */
public final class ConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String setting;

    public ConfigException(String setting, String problem) {
        super(setting + ": " + problem);
        this.setting = setting;
    }

    public String setting() {
        return setting;
    }

    /** The problem without the setting name. */
    public String problem() {
        return getMessage().substring(setting.length() + 2);
    }

    static void check(boolean ok, String setting, String problem) {
        if (!ok) {
            throw new ConfigException(setting, problem);
        }
    }

    static void range(long value, long min, long max, String setting) {
        check(value >= min && value <= max, setting, "must be between " + min + " and " + max + ", got " + value);
    }

    static void positive(java.time.Duration value, String setting) {
        check(value != null && !value.isNegative() && !value.isZero(), setting, "must be a positive duration, got " + value);
    }
}
