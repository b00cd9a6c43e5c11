package dev.fluxtap.standalone;

import dev.fluxtap.agent.AgentMain;
import dev.fluxtap.aggregator.AggregatorMain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Renders the configuration reference of docs/OPERATIONS.md from the commands' own option declarations (which map
 * 1:1 onto the validated config records), so the document cannot drift: {@link ConfigReferenceTest} compares them.
 * Regenerate with {@code java -cp ... dev.fluxtap.standalone.ConfigReference docs/OPERATIONS.md} or by running the
 * test with {@code -Dfluxtap.regenerate=true}.
 */
final class ConfigReference {

    static final String HEADING = "## Configuration reference";

    static String markdown() {
        CommandLine agent = new CommandLine(new AgentMain());
        StringBuilder md = new StringBuilder(HEADING).append("\n\n")
                .append("Generated from the commands' option declarations (each maps onto a validated config record) and checked by\n")
                .append("`ConfigReferenceTest`. Every `--foo-bar` can also be set with the environment variable `FLUXTAP_FOO_BAR` or with the\n")
                .append("key `foo-bar` in the YAML file given by `--config`; a flag beats the environment, which beats the file.\n");
        section(md, "fluxtap-agent run", agent.getSubcommands().get("run").getCommandSpec());
        section(md, "fluxtap-agent tcp-stats", agent.getSubcommands().get("tcp-stats").getCommandSpec());
        section(md, "fluxtap-agent inspect", agent.getSubcommands().get("inspect").getCommandSpec());
        section(md, "fluxtap-aggregator", new CommandLine(new AggregatorMain()).getCommandSpec());
        section(md, "fluxtap-standalone", new CommandLine(new StandaloneMain()).getCommandSpec());
        return md.toString();
    }

    private static void section(StringBuilder md, String title, CommandSpec spec) {
        md.append("\n### `").append(title).append("`\n\n| flag | environment | default | meaning |\n|---|---|---|---|\n");
        for (OptionSpec o : spec.options()) {
            if (o.usageHelp() || o.versionHelp() || o.hidden()) {
                continue;
            }
            String name = o.longestName();
            String env = "FLUXTAP_" + name.replaceFirst("^--", "").replace('-', '_').toUpperCase(Locale.ROOT);
            String defaultValue = defaultOf(o);
            md.append("| `").append(name).append("` | `").append(env).append("` | ").append(defaultValue).append(" | ")
                    .append(describe(o, defaultValue)).append(" |\n");
        }
    }

    private static String defaultOf(OptionSpec o) {
        Object value = o.defaultValue() != null ? o.defaultValue() : o.initialValue();
        if (value == null || value instanceof List<?> l && l.isEmpty() || (value instanceof Boolean b && !b && o.arity().max() == 0)) {
            return value instanceof Boolean ? "`false`" : "";
        }
        return "`" + value + "`";
    }

    /** The option's help text, without a "(default: X)" that only repeats the default column. */
    private static String describe(OptionSpec o, String defaultValue) {
        String text = String.join(" ", o.description()).replace("|", "\\|").trim();
        String plain = defaultValue.replace("`", "");
        for (String form : List.of(" (default: " + plain + ")", " (default " + plain + ")")) {
            text = text.replace(form, "");
        }
        return text;
    }

    /** Replaces the reference section of the operations guide (it runs to the end of the file). */
    static String replaceSection(String doc) {
        int start = doc.indexOf(HEADING);
        if (start < 0) {
            throw new IllegalStateException("docs/OPERATIONS.md has no '" + HEADING + "' section");
        }
        return doc.substring(0, start) + markdown();
    }

    public static void main(String[] args) throws IOException {
        Path doc = Path.of(args.length > 0 ? args[0] : "docs/OPERATIONS.md");
        Files.writeString(doc, replaceSection(Files.readString(doc)));
    }

    private ConfigReference() {
    }
}
