package dev.fluxtap.agent.decode;

/** libpcap link-layer header types (DLT_ and LINKTYPE_ values) the decoder understands. */
public final class LinkTypes {
    /** BSD loopback: 4-byte address family in the capturing host's byte order. */
    public static final int NULL = 0;
    public static final int ETHERNET = 1;
    /** DLT_RAW on most systems. */
    public static final int RAW = 12;
    /** DLT_RAW on OpenBSD. */
    public static final int RAW_OPENBSD = 14;
    /** LINKTYPE_RAW in capture files. */
    public static final int LINKTYPE_RAW = 101;
    /** OpenBSD loopback: address family in network byte order. */
    public static final int LOOP = 108;
    public static final int LINUX_SLL = 113;
    public static final int IPV4 = 228;
    public static final int IPV6 = 229;
    public static final int LINUX_SLL2 = 276;

    private LinkTypes() {
    }
}
