package dev.fluxtap.agent;

import dev.fluxtap.agent.cli.ConfigErrors;
import dev.fluxtap.agent.cli.ConfigLayers;
import dev.fluxtap.agent.cli.InspectCommand;
import dev.fluxtap.agent.cli.RunCommand;
import dev.fluxtap.agent.cli.VersionProvider;
import dev.fluxtap.agent.config.ConfigException;
import dev.fluxtap.agent.tcpstats.TcpStatsCommand;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code fluxtap-agent}: the command line. Add a subcommand by listing its class in {@code subcommands} below; its
 * options automatically get the FLUXTAP_* environment and {@code --config} YAML layers.
 */
@Command(name = "fluxtap-agent", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        subcommands = {RunCommand.class, InspectCommand.class, TcpStatsCommand.class, CommandLine.HelpCommand.class},
        description = "Fluxtap agent: captures packets, decodes headers and publishes summaries to Kafka.")
public final class AgentMain implements Runnable {

    @picocli.CommandLine.Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with the given environment; returns the exit code. */
    public static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
        ConfigLayers layers;
        CommandLine cmd = new CommandLine(new AgentMain());
        cmd.setOut(out);
        cmd.setErr(err);
        try {
            layers = ConfigLayers.load(args, env);
            cmd.setDefaultValueProvider(layers);
            layers.checkKnown(cmd);
        } catch (CommandLine.PicocliException e) {
            err.println("fluxtap-agent: " + e.getMessage());
            return ConfigErrors.EXIT_USAGE;
        }
        cmd.setParameterExceptionHandler((ex, a) -> {
            err.println("fluxtap-agent: " + ex.getMessage() + layers.fromClause(ex, a) + "; see --help");
            return ConfigErrors.EXIT_USAGE;
        });
        cmd.setExecutionExceptionHandler((ex, c, parsed) -> {
            if (ex instanceof ConfigException ce) {
                return ConfigErrors.report(c.getCommandSpec(), ce);
            }
            err.println("fluxtap-agent: " + ex);
            return 1;
        });
        return cmd.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
