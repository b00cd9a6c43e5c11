package dev.fluxtap.aggregator.serve.rest;

/** A query parameter the API cannot use; answered with 400 and {@code {"error","parameter","message"}}. */
public final class BadParameter extends RuntimeException {
    private final String parameter;

    public BadParameter(String parameter, String message) {
        super(message, null, false, false);
        this.parameter = parameter;
    }

    public String parameter() {
        return parameter;
    }
}
