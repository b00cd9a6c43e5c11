package dev.fluxtap.aggregator.config;

/**
 * Top talkers.
 *
 * @param exactKeys     keys counted exactly per one-minute bucket, dimension and metric; beyond that a sketch counts
 * @param sketchMapSize maximum map size of the DataSketches frequent-items sketch (a power of two); its error bound
 *                      is about 3.5 / sketchMapSize of the total, stated in every answer as maxError
 * @param maxHosts      hosts tracked per history slot for per-host rates; the rest are counted as other
 */
public record TopKConfig(int exactKeys, int sketchMapSize, int maxHosts) {

    public TopKConfig {
        Settings.range("topk-exact-keys", exactKeys, 1, 10_000_000);
        Settings.range("topk-sketch-map-size", sketchMapSize, 8, 1 << 26);
        if (Integer.bitCount(sketchMapSize) != 1) {
            throw new IllegalArgumentException("--topk-sketch-map-size: must be a power of two (got " + sketchMapSize + ")");
        }
        Settings.range("max-hosts", maxHosts, 1, 10_000_000);
    }

    public static TopKConfig defaults() {
        return new TopKConfig(10_000, 4096, 10_000);
    }
}
