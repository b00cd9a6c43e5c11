package dev.fluxtap.agent.decode;

/** Why a well-formed frame was deliberately not summarised (it carries no IP packet we account for). */
public enum SkipReason {
    ARP("arp"),
    LLDP("lldp"),
    LLC("llc"),
    MPLS("mpls"),
    PPPOE("pppoe"),
    UNKNOWN_ETHERTYPE("unknown-ethertype"),
    UNKNOWN_ADDRESS_FAMILY("unknown-address-family"),
    UNSUPPORTED_LINKTYPE("unsupported-linktype");

    private final String label;

    SkipReason(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
