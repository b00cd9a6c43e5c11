package dev.fluxtap.agent.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The configuration convention shared with the aggregator: every long flag {@code --foo-bar} can also be given as the
 * environment variable {@code FLUXTAP_FOO_BAR} or as the key {@code foo-bar} of the YAML file named by
 * {@code --config}. Precedence: flag, then environment, then file, then the built-in default. Picocli asks this
 * provider for the value of every option not given on the command line; list values are comma-separated (or YAML lists).
 */
public final class ConfigLayers implements CommandLine.IDefaultValueProvider {

    public static final String ENV_PREFIX = "FLUXTAP_";
    public static final String CONFIG_OPTION = "--config";

    private final Map<String, String> env;
    private final Map<String, String> file;
    private final Optional<Path> fileName;

    ConfigLayers(Map<String, String> env, Map<String, String> file, Optional<Path> fileName) {
        this.env = Map.copyOf(env);
        this.file = Map.copyOf(file);
        this.fileName = fileName;
    }

    /** Finds {@code --config FILE} (or {@code FLUXTAP_CONFIG}) before picocli parses, so the file can supply defaults. */
    public static ConfigLayers load(String[] args, Map<String, String> env) {
        Optional<Path> config = Optional.empty();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(CONFIG_OPTION) && i + 1 < args.length) {
                config = Optional.of(Path.of(args[i + 1]));
            } else if (args[i].startsWith(CONFIG_OPTION + "=")) {
                config = Optional.of(Path.of(args[i].substring(CONFIG_OPTION.length() + 1)));
            }
        }
        if (config.isEmpty() && env.containsKey(envName("config"))) {
            config = Optional.of(Path.of(env.get(envName("config"))));
        }
        return new ConfigLayers(env, config.isPresent() ? readYaml(config.get()) : Map.of(), config);
    }

    public static String envName(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    static Map<String, String> readYaml(Path path) {
        Object root;
        try (Reader in = Files.newBufferedReader(path)) {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
        } catch (IOException e) {
            throw new CommandLine.PicocliException("config: cannot read " + path + " (" + e.getMessage() + ")");
        } catch (YAMLException e) {
            throw new CommandLine.PicocliException("config: " + path + " is not valid YAML: " + e.getMessage().replace('\n', ' '));
        }
        if (root == null) {
            return Map.of();
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw new CommandLine.PicocliException("config: " + path + " must be a YAML mapping of setting: value");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = String.valueOf(e.getKey());
            Object v = e.getValue();
            if (v instanceof Map) {
                throw new CommandLine.PicocliException("config: setting '" + key + "' in " + path + " must be a value or a list, not a mapping");
            }
            String value = v instanceof List<?> list ? list.stream().map(String::valueOf).collect(Collectors.joining(",")) : v == null ? "" : String.valueOf(v);
            out.put(key, value);
        }
        return out;
    }

    /** Rejects file keys and FLUXTAP_ variables that match no option of any command (typos must not pass silently). */
    public void checkKnown(CommandLine root) {
        Set<String> known = new TreeSet<>();
        collect(root, known);
        known.add("config");
        Set<String> unknownKeys = new TreeSet<>(file.keySet());
        unknownKeys.removeAll(known);
        if (!unknownKeys.isEmpty()) {
            throw new CommandLine.PicocliException("config: unknown setting(s) " + unknownKeys + " in " + fileName.orElseThrow()
                    + "; known settings: " + known);
        }
    }

    private static void collect(CommandLine cmd, Set<String> known) {
        for (OptionSpec o : cmd.getCommandSpec().options()) {
            if (o.longestName().startsWith("--")) {
                known.add(o.longestName().substring(2));
            }
        }
        cmd.getSubcommands().values().forEach(sub -> collect(sub, known));
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        String key = keyOf(arg);
        if (key == null || key.equals("config")) {
            return null;
        }
        String fromEnv = env.get(envName(key));
        if (fromEnv != null) {
            return fromEnv;
        }
        return file.get(key);
    }

    /**
     * " (from environment variable FLUXTAP_X)" or " (from key 'x' of FILE)", to follow an error about setting {@code key};
     * empty when the value was given on the command line, is a built-in default, or {@code key} is null.
     */
    public String fromClause(String key, boolean onCommandLine) {
        if (key == null || onCommandLine) {
            return "";
        }
        return sourceOf(key).map(s -> " (from " + s + ")").orElse("");
    }

    /** {@link #fromClause(String, boolean)} for picocli's error about one option's value, given the command line {@code args}. */
    public String fromClause(CommandLine.ParameterException e, String[] args) {
        String key = e.getArgSpec() instanceof OptionSpec o ? o.longestName().replaceFirst("^--", "") : null;
        return fromClause(key, key != null && List.of(args).contains("--" + key));
    }

    /** Where the value of a setting came from, when it did not come from the command line; empty for built-in defaults. */
    public Optional<String> sourceOf(String key) {
        if (env.containsKey(envName(key))) {
            return Optional.of("environment variable " + envName(key));
        }
        if (file.containsKey(key)) {
            return Optional.of("key '" + key + "' of " + fileName.orElseThrow());
        }
        return Optional.empty();
    }

    static String keyOf(ArgSpec arg) {
        if (arg instanceof OptionSpec o && o.longestName().startsWith("--")) {
            return o.longestName().substring(2);
        }
        return null;
    }

}
