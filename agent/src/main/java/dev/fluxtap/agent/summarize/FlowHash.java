package dev.fluxtap.agent.summarize;

/**
 * Hash of the canonical 5-tuple (protocol, lower endpoint, higher endpoint), so both directions of a flow get the same
 * value. Every agent must compute the same function (it decides the Kafka partition where flows meet), so it is fixed:
 * 64-bit mixing with the murmur3 finalizer over the tuple in a defined order. Changing it splits flows across partitions
 * while agents of two versions run side by side.
 */
public final class FlowHash {

    private FlowHash() {
    }

    public static long of(PacketSummary s) {
        int srcPort = s.srcPort(), dstPort = s.dstPort();
        int request = icmpRequestOf(s.protocol(), srcPort, dstPort);
        if (request >= 0) {
            // An ICMP reply keys as the reverse of its request (type * 256 + code sits on the requester's side), so
            // echo request and reply meet in one partition, where the aggregator joins them into one flow.
            srcPort = (request << 8) | (dstPort & 0xFF);
            dstPort = 0;
        }
        return of(s.protocol(), s.srcHi(), s.srcLo(), srcPort, s.dstHi(), s.dstLo(), dstPort);
    }

    /** For an ICMP/ICMPv6 reply (echo, timestamp, information), the type of the request it answers; else -1. */
    static int icmpRequestOf(int protocol, int srcPort, int dstPort) {
        if (srcPort != 0 || (protocol != 1 && protocol != 58)) {
            return -1;
        }
        int type = dstPort >>> 8;
        if (protocol == 1) {
            return switch (type) {
                case 0 -> 8;
                case 14 -> 13;
                case 16 -> 15;
                default -> -1;
            };
        }
        return type == 129 ? 128 : -1;
    }

    public static long of(int protocol, long aHi, long aLo, int aPort, long bHi, long bLo, int bPort) {
        boolean aFirst = compare(aHi, aLo, aPort, bHi, bLo, bPort) <= 0;
        long h = mix(protocol);
        if (aFirst) {
            h = mix(h ^ aHi);
            h = mix(h ^ aLo);
            h = mix(h ^ aPort);
            h = mix(h ^ bHi);
            h = mix(h ^ bLo);
            h = mix(h ^ bPort);
        } else {
            h = mix(h ^ bHi);
            h = mix(h ^ bLo);
            h = mix(h ^ bPort);
            h = mix(h ^ aHi);
            h = mix(h ^ aLo);
            h = mix(h ^ aPort);
        }
        return h;
    }

    /** Partition in [0, partitions). */
    public static int partition(PacketSummary s, int partitions) {
        return (int) Long.remainderUnsigned(of(s), partitions);
    }

    private static int compare(long aHi, long aLo, int aPort, long bHi, long bLo, int bPort) {
        int c = Long.compareUnsigned(aHi, bHi);
        if (c != 0) {
            return c;
        }
        c = Long.compareUnsigned(aLo, bLo);
        return c != 0 ? c : Integer.compare(aPort, bPort);
    }

    private static long mix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
