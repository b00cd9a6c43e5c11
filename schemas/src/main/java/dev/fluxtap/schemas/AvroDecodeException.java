package dev.fluxtap.schemas;

/** Bytes that are not a decodable single-object Avro record of the contract. {@link #reason()} is a short stable label for metrics and deadletter headers. */
public final class AvroDecodeException extends Exception {

    /** Why decoding failed. */
    public enum Reason {
        /** Fewer than 10 bytes, or the first two bytes are not the single-object marker C3 01. */
        BAD_HEADER("bad-header"),
        /** The schema fingerprint is neither a current nor a released schema of the contract. */
        UNKNOWN_SCHEMA("unknown-schema"),
        /** A known schema, but the body is truncated or corrupt. */
        CORRUPT_BODY("corrupt-body"),
        /** A known schema of another record type than the one expected. */
        WRONG_TYPE("wrong-type");

        private final String label;

        Reason(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private final Reason reason;

    public AvroDecodeException(Reason reason, String message, Throwable cause) {
        super(message, cause, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
