package dev.fluxtap.agent.cli;

import dev.fluxtap.agent.config.ConfigException;
import picocli.CommandLine.Model.CommandSpec;

/** The one-line report of a bad setting: which one, where its value came from, what is wrong. */
public final class ConfigErrors {

    /** Exit code of bad settings and usage errors. */
    public static final int EXIT_USAGE = 2;

    private ConfigErrors() {
    }

    public static int report(CommandSpec spec, ConfigException e) {
        String source = "";
        if (spec.defaultValueProvider() instanceof ConfigLayers layers) {
            boolean onCommandLine = spec.commandLine().getParseResult() != null
                    && spec.commandLine().getParseResult().hasMatchedOption("--" + e.setting());
            source = layers.fromClause(e.setting(), onCommandLine);
        }
        spec.commandLine().getErr().println("fluxtap-agent: invalid setting --" + e.setting() + source + ": " + e.problem());
        spec.commandLine().getErr().flush();
        return EXIT_USAGE;
    }
}
