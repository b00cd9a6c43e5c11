package dev.fluxtap.aggregator.serve;

import dev.fluxtap.aggregator.config.HttpConfig.TlsConfig;
import io.netty.handler.ssl.ClientAuth;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import reactor.netty.http.Http11SslContextSpec;

/** The listener's TLS: TLS 1.3 and 1.2 only, a PKCS12 or PEM key pair, and optional client certificates (mTLS). */
final class ListenerTls {

    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    /** Loads the key material now, so a wrong path or password fails the start with the flag's name. */
    static Http11SslContextSpec serverSpec(TlsConfig tls) {
        Http11SslContextSpec spec;
        if (tls.keystore().isPresent()) {
            char[] password;
            try {
                password = Files.readString(tls.keystorePasswordFile().orElseThrow(), StandardCharsets.UTF_8).strip().toCharArray();
            } catch (IOException e) {
                throw new IllegalArgumentException("--tls-keystore-password-file: cannot read " + tls.keystorePasswordFile().get() + ": " + e.getMessage());
            }
            try (InputStream in = Files.newInputStream(tls.keystore().get())) {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(in, password);
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(store, password);
                spec = Http11SslContextSpec.forServer(kmf);
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalArgumentException("--tls-keystore: cannot load PKCS12 store " + tls.keystore().get() + " (wrong password?): "
                        + e.getMessage());
            }
        } else {
            if (!Files.isReadable(tls.cert().orElseThrow()) || !Files.isReadable(tls.key().orElseThrow())) {
                throw new IllegalArgumentException("--tls-cert/--tls-key: " + tls.cert().get() + " or " + tls.key().get() + " is not readable");
            }
            spec = Http11SslContextSpec.forServer(tls.cert().get().toFile(), tls.key().get().toFile());
        }
        if (tls.clientCa().isPresent() && !Files.isReadable(tls.clientCa().get())) {
            throw new IllegalArgumentException("--tls-client-ca: " + tls.clientCa().get() + " is not readable");
        }
        return spec.configure(b -> {
            b.protocols(PROTOCOLS);
            tls.clientCa().ifPresent(ca -> b.trustManager(ca.toFile()).clientAuth(switch (tls.clientAuth()) {
                case REQUIRED -> ClientAuth.REQUIRE;
                case OPTIONAL -> ClientAuth.OPTIONAL;
                case NONE -> ClientAuth.NONE;
            }));
        });
    }

    private ListenerTls() {
    }
}
