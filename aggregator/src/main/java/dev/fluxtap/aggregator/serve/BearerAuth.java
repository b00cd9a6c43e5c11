package dev.fluxtap.aggregator.serve;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /** True when no token is configured, or the Authorization header carries it. Constant-time comparison. */
    public boolean allows(String authorizationHeader) {
        if (token.isEmpty()) {
            return true;
        }
        if (authorizationHeader == null || !authorizationHeader.startsWith("Bearer ")) {
            return false;
        }
        byte[] given = authorizationHeader.substring(7).strip().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, token.get());
    }
}
