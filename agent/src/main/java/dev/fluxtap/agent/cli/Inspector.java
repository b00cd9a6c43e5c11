package dev.fluxtap.agent.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.fluxtap.agent.capture.CaptureException;
import dev.fluxtap.agent.capture.CaptureStats;
import dev.fluxtap.agent.capture.FrameHandler;
import dev.fluxtap.agent.capture.PacketSource;
import dev.fluxtap.agent.capture.PcapFilePacketSource;
import dev.fluxtap.agent.config.ReplaySpeed;
import dev.fluxtap.agent.decode.DecodeOutcome;
import dev.fluxtap.agent.decode.DecodeStats;
import dev.fluxtap.agent.decode.DecodedPacket;
import dev.fluxtap.agent.decode.FrameDecoder;
import dev.fluxtap.agent.summarize.PacketSummary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code inspect} does for one capture file: replay it through the agent's own capture and decoder and print one
 * line per decoded packet, then one stats line. Tests run the tcpdump corpus through this same class.
 */
public final class Inspector {

    /** Output format of the packet lines. */
    public enum Format { JSON, TEXT }

    /**
     * Outcome of one file: the decoder's counters, frames the capture library could not hand over (counted as malformed
     * {@code capture-error} in the stats line), and the error that ended the file early if any.
     */
    public record FileResult(Path file, DecodeStats.Totals totals, long captureErrors, Optional<String> error) {
    }


    private static final JsonFactory JSON = new JsonFactory();
    private static final String[] FLAG_NAMES = {"F", "S", "R", "P", ".", "U", "E", "C"};

    private final Writer out;
    private final Format format;

    public Inspector(Writer out, Format format) {
        this.out = out;
        this.format = format;
    }

    public FileResult inspect(Path file) throws IOException {
        FrameDecoder decoder = new FrameDecoder();
        PacketSource source = new PcapFilePacketSource(java.util.List.of(file), ReplaySpeed.MAX, false);
        long[] frameNumber = {0};
        FrameHandler handler = (tsMicros, linkType, frame, capturedLength, originalLength) -> {
            frameNumber[0]++;
            if (decoder.decode(linkType, frame, capturedLength, originalLength) == DecodeOutcome.DECODED) {
                writePacket(frameNumber[0], PacketSummary.of(decoder.packet(), tsMicros, 0), decoder.packet());
            }
        };
        Optional<String> error = Optional.empty();
        try {
            source.start(i -> handler);
            // A file always ends; the corpus test guards against a hang with its own timeout.
            source.awaitTermination(Duration.ofDays(1));
            error = source.failure().map(CaptureException::getMessage);
        } catch (CaptureException e) {
            error = Optional.of(e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            source.stop();
            error = Optional.of("interrupted");
        } catch (UncheckedIOException e) {
            source.stop();
            throw e.getCause();
        }
        DecodeStats.Totals totals = decoder.stats().snapshot();
        long captureErrors = source.stats().get(0).framesLost();
        writeStats(file, totals, captureErrors, error);
        out.flush();
        return new FileResult(file, totals, captureErrors, error);
    }

    private void writePacket(long frame, PacketSummary s, DecodedPacket p) {
        try {
            if (format == Format.TEXT) {
                out.write(text(frame, s));
                out.write('\n');
                return;
            }
            JsonGenerator g = JSON.createGenerator(out);
            g.setRootValueSeparator(new SerializedString(""));
            g.writeStartObject();
            g.writeStringField("type", "packet");
            g.writeNumberField("frame", frame);
            g.writeNumberField("tsMicros", s.tsMicros());
            g.writeNumberField("ipVersion", s.ipVersion());
            g.writeStringField("srcIp", s.srcIp());
            g.writeNumberField("srcPort", s.srcPort());
            g.writeStringField("dstIp", s.dstIp());
            g.writeNumberField("dstPort", s.dstPort());
            g.writeNumberField("protocol", s.protocol());
            g.writeNumberField("ipBytes", s.ipBytes());
            g.writeNumberField("ttl", s.ttl());
            g.writeNumberField("tcpFlags", s.tcpFlags());
            g.writeNumberField("tcpSeq", s.tcpSeq());
            g.writeNumberField("tcpAck", s.tcpAck());
            g.writeNumberField("tcpWindow", s.tcpWindow());
            g.writeNumberField("payloadBytes", s.payloadBytes());
            g.writeNumberField("fragment", s.fragment());
            g.writeNumberField("vlanId", s.vlanId());
            if (p.tcpMss() != DecodedPacket.NONE) {
                g.writeNumberField("tcpMss", p.tcpMss());
            }
            if (p.tcpWindowScale() != DecodedPacket.NONE) {
                g.writeNumberField("tcpWindowScale", p.tcpWindowScale());
            }
            if (p.tcpSackPermitted()) {
                g.writeBooleanField("tcpSackPermitted", true);
            }
            if (p.tcpTsVal() != DecodedPacket.NONE) {
                g.writeNumberField("tcpTsVal", p.tcpTsVal());
                g.writeNumberField("tcpTsEcr", p.tcpTsEcr());
            }
            if (!p.tcpOptionsValid()) {
                g.writeBooleanField("tcpOptionsInvalid", true);
            }
            g.writeEndObject();
            g.flush();
            out.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String text(long frame, PacketSummary s) {
        StringBuilder b = new StringBuilder(96);
        b.append(frame).append(' ').append(s.tsMicros()).append(' ')
                .append(endpoint(s.ipVersion(), s.srcIp(), s.srcPort())).append(" > ").append(endpoint(s.ipVersion(), s.dstIp(), s.dstPort()))
                .append(" proto ").append(s.protocol()).append(" len ").append(s.ipBytes()).append(" ttl ").append(s.ttl());
        if (s.protocol() == 6) {
            b.append(" flags [");
            for (int i = 0; i < FLAG_NAMES.length; i++) {
                if ((s.tcpFlags() & (1 << i)) != 0) {
                    b.append(FLAG_NAMES[i]);
                }
            }
            b.append("] seq ").append(s.tcpSeq()).append(" ack ").append(s.tcpAck()).append(" win ").append(s.tcpWindow());
        }
        b.append(" payload ").append(s.payloadBytes());
        if (s.fragment() != 0) {
            b.append(s.fragment() == 1 ? " first-fragment" : " fragment");
        }
        if (s.vlanId() != 0) {
            b.append(" vlan ").append(s.vlanId());
        }
        return b.toString();
    }

    private static String endpoint(int ipVersion, String ip, int port) {
        return (ipVersion == 6 ? "[" + ip + "]" : ip) + ":" + port;
    }

    private void writeStats(Path file, DecodeStats.Totals t, long captureErrors, Optional<String> error) throws IOException {
        JsonGenerator g = JSON.createGenerator(out);
        g.writeStartObject();
        g.writeStringField("type", "stats");
        g.writeStringField("file", file.toString());
        g.writeNumberField("frames", t.frames() + captureErrors);
        g.writeNumberField("decoded", t.decoded());
        Map<String, Long> malformed = t.malformedByLabel();
        if (captureErrors > 0) {
            malformed.put(CaptureStats.LOST_REASON, captureErrors);
        }
        writeMap(g, "malformed", malformed);
        writeMap(g, "skipped", t.skippedByLabel());
        g.writeNumberField("tcpOptionErrors", t.tcpOptionErrors());
        if (error.isPresent()) {
            g.writeStringField("error", error.get());
        }
        g.writeEndObject();
        g.flush();
        out.write('\n');
    }

    private static void writeMap(JsonGenerator g, String name, Map<String, Long> m) throws IOException {
        g.writeObjectFieldStart(name);
        for (Map.Entry<String, Long> e : m.entrySet()) {
            g.writeNumberField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
    }
}
