package dev.fluxtap.agent.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What and how to capture: live interfaces or capture files (exactly one of the two).
 *
 * @param interfaces     live interfaces (names as libpcap lists them; {@code any} for all, Linux only)
 * @param pcapFiles      capture files (pcap or pcapng) to replay instead
 * @param pcapSpeed      replay speed of capture files
 * @param pcapLoop       replay the files again and again until stopped
 * @param filter         BPF filter expression; empty for none
 * @param snaplen        bytes captured per packet (headers only by default)
 * @param bufferBytes    kernel capture buffer per interface
 * @param immediateMode  wake up for every packet instead of per filled buffer block (or the read timeout); off by default:
 *                       at 100k packets/s it cost 51% of a core against 32% (the batch linger adds latency anyway)
 * @param promiscuous    put the interfaces into promiscuous mode
 */
public record CaptureConfig(List<String> interfaces, List<Path> pcapFiles, ReplaySpeed pcapSpeed, boolean pcapLoop, String filter,
                            int snaplen, int bufferBytes, boolean immediateMode, boolean promiscuous) {

    public static final int DEFAULT_SNAPLEN = 128;
    /** Bounds of the kernel capture buffer per interface. */
    public static final int MIN_BUFFER_BYTES = 65_536;
    public static final int MAX_BUFFER_BYTES = 1 << 30;

    public CaptureConfig {
        interfaces = List.copyOf(Objects.requireNonNullElse(interfaces, List.of()));
        pcapFiles = List.copyOf(Objects.requireNonNullElse(pcapFiles, List.of()));
        pcapSpeed = Objects.requireNonNullElse(pcapSpeed, ReplaySpeed.MAX);
        filter = Objects.requireNonNullElse(filter, "").trim();
        ConfigException.check(interfaces.stream().noneMatch(String::isBlank), "interface", "must not be blank");
        ConfigException.check(interfaces.stream().distinct().count() == interfaces.size(), "interface", "lists an interface twice: " + interfaces);
        ConfigException.check(interfaces.isEmpty() || pcapFiles.isEmpty(), "pcap",
                "give either --interface or --pcap, not both");
        ConfigException.range(snaplen, 64, 262_144, "snaplen");
        ConfigException.range(bufferBytes, MIN_BUFFER_BYTES, MAX_BUFFER_BYTES, "buffer-size");
    }

    public static CaptureConfig defaults() {
        return new CaptureConfig(List.of(), List.of(), ReplaySpeed.MAX, false, "", DEFAULT_SNAPLEN, 4 * 1024 * 1024, false, false);
    }

    public boolean isReplay() {
        return !pcapFiles.isEmpty();
    }
}
