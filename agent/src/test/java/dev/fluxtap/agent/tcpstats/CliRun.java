package dev.fluxtap.agent.tcpstats;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** One run of {@code tcp-stats} with stdout and stderr captured. */
public record CliRun(int exitCode, String out, String err) {

    public static CliRun of(String... args) {
        return with(new TcpStatsCommand(), args);
    }

    static CliRun with(TcpStatsCommand command, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(command);
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int code = cmd.execute(args);
        return new CliRun(code, out.toString(), err.toString());
    }
}
