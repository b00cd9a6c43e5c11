package dev.fluxtap.agent.capture;

/** A capture could not be opened or failed. The message is one line telling the operator what to do. */
public final class CaptureException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What went wrong, for exit codes and tests. */
    public enum Kind { NO_PERMISSION, UNKNOWN_INTERFACE, LIBPCAP_MISSING, BAD_FILTER, BAD_FILE, CAPTURE_FAILED }

    private final Kind kind;

    public CaptureException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
