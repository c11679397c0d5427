package cn.tianfu.databus.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SignatureException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bus's certificates as the JDK's own {@link CertificateFactory} parses them. */
class CertificatesTest {

    private static final Instant NOW = Instant.parse("2026-06-01T08:00:00Z");

    @TempDir
    Path dataDir;

    private static X509Certificate parse(String pem) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    }

    private static List<String> sans(X509Certificate c) throws Exception {
        List<String> out = new ArrayList<>();
        c.getSubjectAlternativeNames().forEach(san -> out.add(san.get(0) + ":" + san.get(1)));
        return out;
    }

    @Test
    void theAuthorityIsACaThatSignsOnlyCertificates() throws Exception {
        Certificates.Issued ca = Certificates.newAuthority("Test CA", NOW, Duration.ofDays(3650));
        X509Certificate cert = parse(ca.certificatePem());
        assertThat(cert.getBasicConstraints()).isEqualTo(0); // CA, path length 0
        assertThat(cert.getKeyUsage()[5]).as("keyCertSign").isTrue();
        assertThat(cert.getKeyUsage()[0]).as("digitalSignature").isFalse();
        assertThat(cert.getSubjectX500Principal()).isEqualTo(cert.getIssuerX500Principal());
        cert.verify(cert.getPublicKey());
        assertThat(cert.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(3650)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        assertThat(cert.getNotBefore().toInstant()).isBefore(NOW);
    }

    @Test
    void aServerCertificateNamesEveryAddressAndIsSignedByTheCa() throws Exception {
        Certificates.Issued ca = Certificates.newAuthority("Test CA", NOW, Duration.ofDays(3650));
        Certificates.Issued other = Certificates.newAuthority("Other CA", NOW, Duration.ofDays(3650));
        Certificates.Issued server = Certificates.serverCertificate(ca, Certificates.serverNames("bus.chengdu.gov.cn", "10.1.2.3"),
                NOW, Duration.ofDays(825));
        X509Certificate cert = parse(server.certificatePem());
        assertThat(sans(cert)).containsExactly("2:bus.chengdu.gov.cn", "7:10.1.2.3", "2:localhost", "7:127.0.0.1");
        assertThat(cert.getBasicConstraints()).isEqualTo(-1); // not a CA
        assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1"); // serverAuth
        assertThat(cert.getSubjectX500Principal().getName()).contains("CN=bus.chengdu.gov.cn");
        assertThat(cert.getIssuerX500Principal()).isEqualTo(parse(ca.certificatePem()).getSubjectX500Principal());
        cert.verify(ca.certificate().getPublicKey());
        assertThatThrownBy(() -> cert.verify(other.certificate().getPublicKey())).isInstanceOf(SignatureException.class);
        cert.checkValidity(java.util.Date.from(NOW.plus(Duration.ofDays(824))));
        assertThatThrownBy(() -> cert.checkValidity(java.util.Date.from(NOW.plus(Duration.ofDays(826)))))
                .isInstanceOf(java.security.cert.CertificateExpiredException.class);
        // the key round-trips through its PKCS#8 PEM
        assertThat(server.keyPem()).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(Certificates.readKey(server.keyPem())).isEqualTo(server.key());
    }

    @Test
    void aClientCertificateIsForClientAuthenticationOnly() throws Exception {
        Certificates.Issued ca = Certificates.newAuthority("Test CA", NOW, Duration.ofDays(3650));
        X509Certificate cert = parse(Certificates.clientCertificate(ca, "psb", NOW, Duration.ofDays(365)).certificatePem());
        assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
        assertThat(cert.getSubjectX500Principal().getName()).contains("CN=psb");
        assertThat(cert.getSubjectAlternativeNames()).isNull();
        cert.verify(ca.certificate().getPublicKey());
    }

    @Test
    void aDepartmentCertificateMapsToTheDepartmentsPrincipalUnderKafkasOwnRules() throws Exception {
        Certificates.Issued ca = Certificates.newAuthority("Test CA", NOW, Duration.ofDays(3650));
        Certificates.Issued issued = Certificates.departmentCertificate(ca, "psb", NOW, Duration.ofDays(365));
        X509Certificate cert = parse(issued.certificatePem());
        assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=psb,OU=departments,O=Tianfu Data Exchange Bus");
        assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
        cert.verify(ca.certificate().getPublicKey());
        // the broker's own mapper, with the rules the certificate listener runs with
        var mapper = org.apache.kafka.common.security.ssl.SslPrincipalMapper.fromRules(Certificates.PRINCIPAL_MAPPING_RULES);
        assertThat(mapper.getName(cert.getSubjectX500Principal().getName())).isEqualTo("psb");
        // a subject outside the departments' unit keeps its whole name, which no ACL names
        X509Certificate server = parse(Certificates.clientCertificate(ca, "psb", NOW, Duration.ofDays(1)).certificatePem());
        assertThat(mapper.getName(server.getSubjectX500Principal().getName())).isEqualTo(server.getSubjectX500Principal().getName()).doesNotContain("OU=departments");
        assertThat(mapper.getName("CN=psb,OU=departments,O=Another Org")).isEqualTo("CN=psb,OU=departments,O=Another Org");

        // the PKCS#12 store the department's client reads: its key, its certificate, the CA above it
        char[] password = "secret".toCharArray();
        java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
        store.load(new java.io.ByteArrayInputStream(Certificates.pkcs12(issued, List.of(ca.certificate()), "psb", password)), password);
        assertThat(store.getKey("psb", password)).isEqualTo(issued.key());
        assertThat(store.getCertificateChain("psb")).containsExactly(issued.certificate(), ca.certificate());
    }

    @Test
    void theBusMakesItsCertificatesOnceAndReusesThem() throws Exception {
        List<String> names = Certificates.serverNames("127.0.0.1", "127.0.0.1");
        ServerTls first = ServerTls.loadOrCreate(dataDir, names, InstantSource.fixed(NOW));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve("tls/ca.key")))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve("tls/server.key")))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve("tls")))).isEqualTo("rwx------");
        ServerTls again = ServerTls.loadOrCreate(dataDir, names, InstantSource.fixed(NOW.plus(Duration.ofDays(1))));
        assertThat(again.certificate()).isEqualTo(first.certificate());
        assertThat(again.caPem()).isEqualTo(first.caPem());
        // a new advertised name: a new server certificate from the same CA
        ServerTls renamed = ServerTls.loadOrCreate(dataDir, Certificates.serverNames("bus.example", "0.0.0.0"),
                InstantSource.fixed(NOW.plus(Duration.ofDays(2))));
        assertThat(renamed.certificate()).isNotEqualTo(first.certificate());
        assertThat(renamed.caPem()).isEqualTo(first.caPem());
        assertThat(sans(renamed.certificate())).contains("2:bus.example");
        // close to expiry: issued again
        ServerTls renewed = ServerTls.loadOrCreate(dataDir, Certificates.serverNames("bus.example", "0.0.0.0"),
                InstantSource.fixed(NOW.plus(Duration.ofDays(800))));
        assertThat(renewed.certificate()).isNotEqualTo(renamed.certificate());
        // the files given instead of the bus's own
        ServerTls given = ServerTls.fromFiles(dataDir.resolve("tls/server.crt"), dataDir.resolve("tls/server.key"), dataDir.resolve("tls/ca.crt"));
        assertThat(given.certificate()).isEqualTo(renewed.certificate());
        assertThat(given.authority()).isEmpty();
    }
}
