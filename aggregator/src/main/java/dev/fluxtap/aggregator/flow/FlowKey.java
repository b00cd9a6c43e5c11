package dev.fluxtap.aggregator.flow;

/**
 * Canonical 5-tuple: the lower endpoint (address, then port) is {@code a}, the higher {@code b}, so both directions
 * of a flow have one key. The table reuses one mutable probe per table for look-ups; a new flow's state copies it.
 */
class FlowKey {
    int ipVersion;
    int protocol;
    long aHi;
    long aLo;
    int aPort;
    long bHi;
    long bLo;
    int bPort;
    /** Package-private so that index tests can force hash collisions. */
    int hash;

    /** Sets this probe from a packet; returns true when the packet's source is endpoint {@code a}. */
    boolean set(int version, int proto, long sHi, long sLo, int sPort, long dHi, long dLo, int dPort) {
        ipVersion = version;
        protocol = proto;
        boolean srcIsA = compare(sHi, sLo, sPort, dHi, dLo, dPort) <= 0;
        if (srcIsA) {
            aHi = sHi; aLo = sLo; aPort = sPort; bHi = dHi; bLo = dLo; bPort = dPort;
        } else {
            aHi = dHi; aLo = dLo; aPort = dPort; bHi = sHi; bLo = sLo; bPort = sPort;
        }
        long h = aHi * 31 + aLo;
        h = h * 31 + bHi;
        h = h * 31 + bLo;
        h = h * 31 + ((long) aPort << 16 | bPort);
        h = h * 31 + (protocol << 4 | ipVersion);
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 32;
        hash = (int) h;
        return srcIsA;
    }


    private static int compare(long xHi, long xLo, int xPort, long yHi, long yLo, int yPort) {
        int c = Long.compareUnsigned(xHi, yHi);
        if (c != 0) {
            return c;
        }
        c = Long.compareUnsigned(xLo, yLo);
        return c != 0 ? c : Integer.compare(xPort, yPort);
    }

    @Override
    public final int hashCode() {
        return hash;
    }

    @Override
    public final boolean equals(Object o) {
        return o instanceof FlowKey k && hash == k.hash && aLo == k.aLo && bLo == k.bLo && aPort == k.aPort && bPort == k.bPort
                && protocol == k.protocol && aHi == k.aHi && bHi == k.bHi && ipVersion == k.ipVersion;
    }
}
