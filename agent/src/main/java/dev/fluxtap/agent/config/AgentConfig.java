package dev.fluxtap.agent.config;

import java.util.Objects;

/**
 * Everything {@code fluxtap-agent run} needs.
 *
 * @param agentId stable id of this agent (the host name by default)
 */
public record AgentConfig(String agentId, CaptureConfig capture, PublishConfig publish, OpsConfig ops) {

    public AgentConfig {
        agentId = Objects.requireNonNullElse(agentId, "").trim();
        ConfigException.check(!agentId.isEmpty(), "agent-id", "must not be empty");
        ConfigException.check(agentId.length() <= 255, "agent-id", "must be at most 255 characters");
        Objects.requireNonNull(capture, "capture");
        Objects.requireNonNull(publish, "publish");
        Objects.requireNonNull(ops, "ops");
    }

    public static AgentConfig defaults() {
        return new AgentConfig(HostNames.local(), CaptureConfig.defaults(), PublishConfig.defaults(), OpsConfig.defaults());
    }
}
