package cn.tianfu.databus.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cn.tianfu.databus.security.SecretFiles;

/**
 * The TLS identity of the bus's listeners (Kafka's department listener, the schema registry, the HTTP API): a server
 * key, its certificate chain, and the certificate authority clients trust.
 *
 * <p>Either made by the bus ({@link #loadOrCreate}): a CA and a server certificate in {@code <data-dir>/tls/}, created
 * on the first start and reused afterwards (the server certificate is issued again, by the same CA, when it lacks a
 * name the bus is now reached by or expires within 30 days); or given as PEM files ({@link #fromFiles}), in which case
 * the bus holds no CA key and cannot issue client certificates.
 */
public final class ServerTls {

    private static final Logger LOG = LoggerFactory.getLogger(ServerTls.class);

    /** Directory under the data directory holding the bus's CA and server certificate. */
    public static final String DIR = "tls";
    public static final String CA_CERT = "ca.crt";
    public static final String CA_KEY = "ca.key";
    public static final String SERVER_CERT = "server.crt";
    public static final String SERVER_KEY = "server.key";

    static final Duration CA_VALIDITY = Duration.ofDays(3650);
    static final Duration SERVER_VALIDITY = Duration.ofDays(825);
    static final Duration RENEW_BEFORE = Duration.ofDays(30);

    private final String caPem;
    private final List<X509Certificate> chain;
    private final PrivateKey key;
    private final Certificates.Issued authority;

    private ServerTls(String caPem, List<X509Certificate> chain, PrivateKey key, Certificates.Issued authority) {
        this.caPem = caPem;
        this.chain = List.copyOf(chain);
        this.key = key;
        this.authority = authority;
    }

    /** {@code <dataDir>/tls/ca.crt}: the PEM clients trust. */
    public static Path caFile(Path dataDir) {
        return dataDir.resolve(DIR).resolve(CA_CERT);
    }

    /**
     * The bus's own CA and server certificate in {@code <dataDir>/tls/}, created when missing; the server certificate
     * names {@code names} (see {@link Certificates#serverNames}).
     */
    public static ServerTls loadOrCreate(Path dataDir, Collection<String> names, InstantSource clock) {
        Path dir = dataDir.resolve(DIR);
        SecretFiles.privateDirectory(dir);
        Instant now = clock.instant();
        Certificates.Issued ca;
        Path caCert = dir.resolve(CA_CERT);
        Path caKey = dir.resolve(CA_KEY);
        if (Files.exists(caCert) && Files.exists(caKey)) {
            ca = new Certificates.Issued(Certificates.readKey(read(caKey)), Certificates.readCertificates(read(caCert)).get(0));
        } else {
            ca = Certificates.newAuthority("Tianfu Data Exchange Bus CA", now, CA_VALIDITY);
            writePrivate(caKey, ca.keyPem());
            writePublic(caCert, ca.certificatePem());
            LOG.info("Created the bus's certificate authority in {}", caCert);
        }
        Path serverCert = dir.resolve(SERVER_CERT);
        Path serverKey = dir.resolve(SERVER_KEY);
        if (Files.exists(serverCert) && Files.exists(serverKey)) {
            X509Certificate existing = Certificates.readCertificates(read(serverCert)).get(0);
            if (covers(existing, names) && existing.getNotAfter().toInstant().isAfter(now.plus(RENEW_BEFORE))
                    && existing.getIssuerX500Principal().equals(ca.certificate().getSubjectX500Principal())) {
                return new ServerTls(ca.certificatePem(), List.of(existing, ca.certificate()),
                        Certificates.readKey(read(serverKey)), ca);
            }
            LOG.info("Issuing the server certificate again: it lacks one of {} or expires soon", names);
        }
        Certificates.Issued server = Certificates.serverCertificate(ca, names, now, SERVER_VALIDITY);
        writePrivate(serverKey, server.keyPem());
        writePublic(serverCert, server.certificatePem());
        LOG.info("Issued the bus's server certificate for {} in {}", names, serverCert);
        return new ServerTls(ca.certificatePem(), List.of(server.certificate(), ca.certificate()), server.key(), ca);
    }

    /**
     * The certificate authority in {@code dir} ({@value #CA_CERT} and {@value #CA_KEY}), to issue department
     * certificates with.
     *
     * @throws TlsException when either file is missing or unreadable
     */
    public static Certificates.Issued loadAuthority(Path dir) {
        Path caCert = dir.resolve(CA_CERT);
        Path caKey = dir.resolve(CA_KEY);
        if (!Files.exists(caCert) || !Files.exists(caKey)) {
            throw new TlsException("no certificate authority in " + dir + " (" + CA_CERT + " and " + CA_KEY + "): the bus issues"
                    + " department certificates only with its own CA, made on the first start with TLS on");
        }
        return new Certificates.Issued(Certificates.readKey(read(caKey)), Certificates.readCertificates(read(caCert)).get(0));
    }

    /**
     * The identity given as PEM files: {@code cert} the server certificate (and its chain), {@code key} its private key
     * (unencrypted), {@code ca} the certificates clients are to trust.
     */
    public static ServerTls fromFiles(Path cert, Path key, Path ca) {
        List<X509Certificate> chain = Certificates.readCertificates(read(cert));
        String caPem = read(ca);
        Certificates.readCertificates(caPem);
        return new ServerTls(caPem, chain, Certificates.readKey(read(key)), null);
    }

    private static boolean covers(X509Certificate cert, Collection<String> names) {
        Set<String> sans = new HashSet<>();
        try {
            if (cert.getSubjectAlternativeNames() != null) {
                cert.getSubjectAlternativeNames().forEach(san -> sans.add(String.valueOf(san.get(1)).toLowerCase(java.util.Locale.ROOT)));
            }
        } catch (CertificateParsingException e) {
            return false;
        }
        return names.stream().allMatch(n -> sans.contains(n.toLowerCase(java.util.Locale.ROOT)));
    }

    /** PEM of the certificates clients trust: what a department's client file carries. */
    public String caPem() {
        return caPem;
    }

    /** The server certificate and the certificates above it, PEM. */
    public String chainPem() {
        return Certificates.pem(chain);
    }

    public X509Certificate certificate() {
        return chain.get(0);
    }

    /** The bus's CA with its key, when the bus made it (not when the certificates were given as files). */
    public Optional<Certificates.Issued> authority() {
        return Optional.ofNullable(authority);
    }

    /**
     * Kafka's SSL settings of a listener (to be prefixed with {@code listener.name.<listener>.}): PEM keystore and PEM
     * truststore, inline.
     */
    public Map<String, Object> kafkaListenerSsl() {
        Map<String, Object> p = new HashMap<>();
        p.put("ssl.keystore.type", "PEM");
        p.put("ssl.keystore.certificate.chain", chainPem());
        p.put("ssl.keystore.key", Certificates.keyPem(key));
        p.put("ssl.truststore.type", "PEM");
        p.put("ssl.truststore.certificates", caPem);
        return p;
    }

    /** Jetty's server-side TLS for the registry and the HTTP API. */
    public SslContextFactory.Server jettySslContextFactory() {
        try {
            char[] password = "databus".toCharArray();
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", key, password, chain.toArray(Certificate[]::new));
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStore(store);
            ssl.setKeyStorePassword(new String(password));
            ssl.setKeyManagerPassword(new String(password));
            ssl.setSniRequired(false);
            return ssl;
        } catch (GeneralSecurityException | IOException e) {
            throw new TlsException("cannot build the HTTPS key store: " + e.getMessage(), e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new TlsException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes {@code text} to {@code file} with mode 600 (aside, then moved in place). */
    public static void writePrivate(Path file, String text) {
        write(file, text, "rw-------");
    }

    static void writePublic(Path file, String text) {
        write(file, text, "rw-r--r--");
    }

    private static void write(Path file, String text, String mode) {
        Path dir = file.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
            Path tmp;
            try {
                tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException notPosix) {
                tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
            }
            Files.writeString(tmp, text, StandardCharsets.US_ASCII);
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(mode));
            } catch (UnsupportedOperationException notPosix) {
                // permissions are the file system's
            }
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new TlsException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "ServerTls[" + certificate().getSubjectX500Principal().getName() + "]";
    }

    /** Unused-name guard for callers building lists. */
    static List<String> names(String... names) {
        return new ArrayList<>(List.of(names));
    }
}
