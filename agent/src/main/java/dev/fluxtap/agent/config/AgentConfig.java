package dev.fluxtap.agent.config;

import dev.fluxtap.agent.tcpstats.TcpStatsConfig;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything {@code fluxtap-agent run} needs.
 *
 * @param agentId  stable id of this agent (the host name by default)
 * @param tcpStats TCP connection stats polling; empty turns it off
 */
public record AgentConfig(String agentId, CaptureConfig capture, PublishConfig publish, OpsConfig ops, Optional<TcpStatsConfig> tcpStats) {

    public AgentConfig {
        agentId = Objects.requireNonNullElse(agentId, "").trim();
        ConfigException.check(!agentId.isEmpty(), "agent-id", "must not be empty");
        ConfigException.check(agentId.length() <= 255, "agent-id", "must be at most 255 characters");
        Objects.requireNonNull(capture, "capture");
        Objects.requireNonNull(publish, "publish");
        Objects.requireNonNull(ops, "ops");
        tcpStats = Objects.requireNonNullElse(tcpStats, Optional.empty());
    }

    /** Without TCP connection stats. */
    public AgentConfig(String agentId, CaptureConfig capture, PublishConfig publish, OpsConfig ops) {
        this(agentId, capture, publish, ops, Optional.empty());
    }

    public static AgentConfig defaults() {
        return new AgentConfig(HostNames.local(), CaptureConfig.defaults(), PublishConfig.defaults(), OpsConfig.defaults());
    }
}
