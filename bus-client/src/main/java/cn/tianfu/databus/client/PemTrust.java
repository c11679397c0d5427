package cn.tianfu.databus.client;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import cn.tianfu.databus.config.DatabusConfigException;

/**
 * An {@link SSLContext} trusting exactly the certificates of a PEM text (the bus's CA, as a client file carries it in
 * {@code ssl.truststore.certificates}): what the SDK's HTTP clients (schema registry, HTTP API) use, so that they
 * trust the same authority as its Kafka clients, and nothing else.
 */
public final class PemTrust {

    private PemTrust() {
    }

    /**
     * @throws DatabusConfigException when {@code pem} holds no certificate
     */
    public static SSLContext sslContext(String pem, String key) {
        try {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            if (certs.isEmpty()) {
                throw new DatabusConfigException("client", java.util.List.of(key + " holds no PEM certificate"));
            }
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int i = 0;
            for (Certificate c : certs) {
                store.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new DatabusConfigException("client", java.util.List.of(key + " is not a usable PEM certificate: " + e.getMessage()));
        }
    }
}
