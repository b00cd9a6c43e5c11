package dev.fluxtap.aggregator.serve;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.security.MessageDigest;
import java.util.Optional;

/** Optional bearer-token check. The token is read once from a file and never logged or echoed. */
public final class BearerAuth {

    private final Optional<byte[]> token;

    private BearerAuth(Optional<byte[]> token) {
        this.token = token;
    }

    public static BearerAuth none() {
        return new BearerAuth(Optional.empty());
    }

    public static BearerAuth fromFile(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (text.isEmpty()) {
                throw new IllegalArgumentException("--auth-token-file: " + file + " is empty");
            }
            return new BearerAuth(Optional.of(text.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException("--auth-token-file: cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    public boolean enabled() {
        return token.isPresent();
    }

    /**
     * True when no token is configured, or the request carries it: in {@code Authorization: Bearer <token>}, or, for
     * WebSocket upgrades from browsers (which cannot set headers there), as a subprotocol {@code bearer.<token>} in
     * {@code Sec-WebSocket-Protocol}. The token never travels in the URL, so it stays out of access logs and proxies.
     */
    public boolean allows(HttpHeaders headers) {
        if (token.isEmpty() || allows(headers.get(HttpHeaderNames.AUTHORIZATION))) {
            return true;
        }
        String protocols = headers.get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
        if (protocols != null) {
            for (String p : protocols.split(",")) {
                String candidate = p.strip();
                if (candidate.startsWith("bearer.") && matches(candidate.substring(7))) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The credential a request carried (its Authorization header, or a WebSocket upgrade's {@code bearer.<token>}
     * subprotocol) as an Authorization header value, for the requests it makes this instance send to its peers, which
     * check the same token; null when it carried none.
     */
    public static String authorization(HttpHeaders headers) {
        String header = headers.get(HttpHeaderNames.AUTHORIZATION);
        if (header != null) {
            return header;
        }
        String protocols = headers.get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
        if (protocols != null) {
            for (String p : protocols.split(",")) {
                String candidate = p.strip();
                if (candidate.startsWith("bearer.")) {
                    return "Bearer " + candidate.substring(7);
                }
            }
        }
        return null;
    }

    /** True when no token is configured, or the Authorization header carries it. Constant-time comparison. */
    public boolean allows(String authorizationHeader) {
        if (token.isEmpty()) {
            return true;
        }
        if (authorizationHeader == null || !authorizationHeader.startsWith("Bearer ")) {
            return false;
        }
        return matches(authorizationHeader.substring(7).strip());
    }

    private boolean matches(String given) {
        return MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), token.get());
    }
}
