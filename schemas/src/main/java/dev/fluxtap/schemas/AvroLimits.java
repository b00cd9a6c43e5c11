package dev.fluxtap.schemas;

/**
 * Caps the lengths Avro will allocate for while decoding, so that garbage bytes cannot make a decoder allocate gigabytes.
 * Avro reads these system properties once, when its limit class loads; operators may override them with -D flags.
 */
final class AvroLimits {

    /** No Kafka record of ours comes near this (the broker default max message size is 1 MiB). */
    static final String MAX_LENGTH = Integer.toString(16 * 1024 * 1024);
    static final String MAX_ITEMS = Integer.toString(4 * 1024 * 1024);

    static void apply() {
        setIfAbsent("org.apache.avro.limits.bytes.maxLength", MAX_LENGTH);
        setIfAbsent("org.apache.avro.limits.string.maxLength", MAX_LENGTH);
        setIfAbsent("org.apache.avro.limits.collectionItems.maxLength", MAX_ITEMS);
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    private AvroLimits() {
    }
}
