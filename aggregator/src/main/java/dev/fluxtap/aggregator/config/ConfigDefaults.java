package dev.fluxtap.aggregator.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import picocli.CommandLine;

/**
 * Values for options not given on the command line, shared convention with the agent: env {@code FLUXTAP_FOO_BAR}
 * for flag {@code --foo-bar}, else key {@code foo-bar} of the optional YAML file, else the built-in default.
 * Precedence is therefore flag, env, file, default.
 */
public final class ConfigDefaults implements CommandLine.IDefaultValueProvider {

    public static final String CONFIG_FLAG = "--config";

    private final Map<String, String> env;
    private final Map<String, Object> file;

    private ConfigDefaults(Map<String, String> env, Map<String, Object> file) {
        this.env = env;
        this.file = file;
    }

    /**
     * @param args     the command line, scanned for {@code --config FILE} before picocli parses it
     * @param env      the environment ({@code FLUXTAP_CONFIG} also names the file)
     * @param settings the long flags (without dashes) that exist; a file key outside them is an error
     */
    public static ConfigDefaults load(String[] args, Map<String, String> env, Set<String> settings) {
        String path = env.get(envName("config"));
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(CONFIG_FLAG) && i + 1 < args.length) {
                path = args[i + 1];
            } else if (args[i].startsWith(CONFIG_FLAG + "=")) {
                path = args[i].substring(CONFIG_FLAG.length() + 1);
            }
        }
        Map<String, Object> values = Map.of();
        if (path != null) {
            try (Reader reader = Files.newBufferedReader(Path.of(path), StandardCharsets.UTF_8)) {
                Object loaded = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
                if (loaded != null && !(loaded instanceof Map)) {
                    throw new IllegalArgumentException("--config: " + path + " must be a YAML mapping of setting: value");
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> map = loaded == null ? Map.of() : (Map<String, Object>) loaded;
                for (String key : map.keySet()) {
                    if (!settings.contains(key) || key.equals("config")) {
                        throw new IllegalArgumentException("--config: " + path + " has '" + key + "', which is not a setting (see --help)");
                    }
                }
                values = map;
            } catch (IOException e) {
                throw new IllegalArgumentException("--config: cannot read " + path + ": " + e.getMessage());
            } catch (org.yaml.snakeyaml.error.YAMLException e) {
                throw new IllegalArgumentException("--config: " + path + " is not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
            }
        }
        return new ConfigDefaults(env, values);
    }

    public static String envName(String setting) {
        return "FLUXTAP_" + setting.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    @Override
    public String defaultValue(CommandLine.Model.ArgSpec spec) {
        if (!(spec instanceof CommandLine.Model.OptionSpec option) || !option.longestName().startsWith("--")) {
            return null;
        }
        String setting = option.longestName().substring(2);
        String fromEnv = env.get(envName(setting));
        if (fromEnv != null) {
            return fromEnv;
        }
        Object fromFile = file.get(setting);
        return fromFile == null ? null : fromFile.toString();
    }
}
