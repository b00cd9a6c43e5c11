package dev.fluxtap.agent.decode;

/** Why a frame was rejected as malformed or truncated. The labels are metric tags and status map keys: keep them stable. */
public enum MalformedReason {
    ETHERNET_TRUNCATED("ethernet-truncated"),
    VLAN_TRUNCATED("vlan-truncated"),
    VLAN_TOO_DEEP("vlan-too-deep"),
    SLL_TRUNCATED("sll-truncated"),
    SLL2_TRUNCATED("sll2-truncated"),
    LOOPBACK_TRUNCATED("loopback-truncated"),
    IP_TRUNCATED("ip-truncated"),
    IP_BAD_VERSION("ip-bad-version"),
    IPV4_TRUNCATED("ipv4-truncated"),
    IPV4_BAD_HEADER_LENGTH("ipv4-bad-header-length"),
    IPV4_BAD_TOTAL_LENGTH("ipv4-bad-total-length"),
    IPV6_TRUNCATED("ipv6-truncated"),
    IPV6_EXT_TRUNCATED("ipv6-ext-truncated"),
    IPV6_EXT_BAD_LENGTH("ipv6-ext-bad-length"),
    IPV6_EXT_LOOP("ipv6-ext-loop"),
    TCP_TRUNCATED("tcp-truncated"),
    TCP_BAD_OFFSET("tcp-bad-offset"),
    UDP_TRUNCATED("udp-truncated"),
    UDP_BAD_LENGTH("udp-bad-length"),
    ICMP_TRUNCATED("icmp-truncated"),
    SCTP_TRUNCATED("sctp-truncated"),
    /** A decoder bug caught by the last-resort guard; should stay 0 (the corpus test asserts it). */
    DECODER_FAULT("decoder-fault");

    private final String label;

    MalformedReason(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
