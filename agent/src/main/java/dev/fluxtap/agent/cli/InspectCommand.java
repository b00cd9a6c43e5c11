package dev.fluxtap.agent.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code inspect}: what the agent sees in capture files, without Kafka. */
@Command(name = "inspect", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Decode capture files (pcap, pcapng) with the agent's decoder, without Kafka.",
                "Prints one JSON line per packet, then one stats line per file.",
                "Exit code 1 when a file could not be read (the other files are still processed)."})
public final class InspectCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--pcap", required = true, split = ",", paramLabel = "FILE", description = "Capture file to decode; repeatable.")
    List<Path> pcap;

    @Option(names = "--format", defaultValue = "json", paramLabel = "json|text", description = "Packet line format (default: ${DEFAULT-VALUE}).",
            converter = FormatConverter.class)
    Inspector.Format format;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML file of settings (keys = long option names).")
    Path config;

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        BufferedWriter out = new BufferedWriter(spec.commandLine().getOut(), 1 << 16);
        Inspector inspector = new Inspector(out, format);
        int exit = 0;
        for (Path file : pcap) {
            Inspector.FileResult result = inspector.inspect(file);
            if (result.error().isPresent()) {
                err.println("fluxtap-agent inspect: " + result.error().get());
                err.flush();
                exit = 1;
            }
        }
        out.flush();
        return exit;
    }

    static final class FormatConverter implements picocli.CommandLine.ITypeConverter<Inspector.Format> {
        @Override
        public Inspector.Format convert(String value) {
            return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "json" -> Inspector.Format.JSON;
                case "text" -> Inspector.Format.TEXT;
                default -> throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not json or text");
            };
        }
    }
}
