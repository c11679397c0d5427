package cn.tianfu.databus.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * X.509 certificates of the bus, issued with BouncyCastle: the bus's own certificate authority, server certificates
 * for its listeners (broker, registry, HTTP API) and client certificates for departments. Keys are EC P-256, written
 * as unencrypted PKCS#8 PEM (the form Kafka's {@code ssl.keystore.type=PEM} reads); certificates as PEM.
 */
public final class Certificates {

    private static final String SIGNATURE = "SHA256withECDSA";
    private static final SecureRandom RANDOM = new SecureRandom();

    private Certificates() {
    }

    /** A private key and the certificate issued for it. */
    public record Issued(PrivateKey key, X509Certificate certificate) {

        public String keyPem() {
            return Certificates.keyPem(key);
        }

        public String certificatePem() {
            return Certificates.pem(List.of(certificate));
        }

        @Override
        public String toString() {
            return "Issued[" + certificate.getSubjectX500Principal().getName() + "]";
        }
    }

    /** A self-signed certificate authority: {@code CA:true, pathlen:0}, key usage keyCertSign and cRLSign. */
    public static Issued newAuthority(String commonName, Instant now, Duration validity) {
        KeyPair pair = newKeyPair();
        X500Name subject = name(commonName);
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = builder(subject, subject, pair, now, validity)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
            return new Issued(pair.getPrivate(), sign(b, pair.getPrivate()));
        } catch (IOException | GeneralSecurityException e) {
            throw new TlsException("cannot issue the bus's certificate authority: " + e.getMessage(), e);
        }
    }

    /**
     * A server certificate signed by {@code ca} for {@code names} (host names and IP addresses, each a subject
     * alternative name; the first is also the common name): {@code CA:false}, serverAuth.
     */
    public static Issued serverCertificate(Issued ca, Collection<String> names, Instant now, Duration validity) {
        if (names.isEmpty()) {
            throw new IllegalArgumentException("a server certificate needs at least one name");
        }
        List<String> unique = new ArrayList<>(new LinkedHashSet<>(names));
        List<ASN1Encodable> sans = new ArrayList<>();
        for (String n : unique) {
            sans.add(isIpAddress(n) ? new GeneralName(GeneralName.iPAddress, n) : new GeneralName(GeneralName.dNSName, n));
        }
        return leaf(ca, unique.get(0), now, validity, KeyPurposeId.id_kp_serverAuth,
                new DERSequence(sans.toArray(ASN1Encodable[]::new)));
    }

    /** A client certificate signed by {@code ca} with subject {@code CN=<commonName>,O=Tianfu Data Exchange Bus}: clientAuth. */
    public static Issued clientCertificate(Issued ca, String commonName, Instant now, Duration validity) {
        return leaf(ca, commonName, now, validity, KeyPurposeId.id_kp_clientAuth, null);
    }

    /** The organizational unit of every department certificate: the broker maps only such subjects to departments. */
    public static final String DEPARTMENTS_OU = "departments";
    /** The organization of every certificate the bus issues. */
    public static final String ORGANIZATION = "Tianfu Data Exchange Bus";

    /**
     * Kafka's {@code ssl.principal.mapping.rules} of the certificate listener: a subject
     * {@code CN=<dept>,OU=departments,O=Tianfu Data Exchange Bus} (RFC 2253, as the broker reads it) is the principal
     * {@code User:<dept>}, so the department's prefix ACLs apply; any other subject keeps its whole distinguished name,
     * which no ACL names.
     */
    public static final String PRINCIPAL_MAPPING_RULES =
            "RULE:^CN=([a-z][a-z0-9-]*),OU=" + DEPARTMENTS_OU + ",O=" + ORGANIZATION + "$/$1/,DEFAULT";

    /**
     * A department's client certificate signed by {@code ca}: subject
     * {@code CN=<department>,OU=departments,O=Tianfu Data Exchange Bus}, clientAuth.
     */
    public static Issued departmentCertificate(Issued ca, String department, Instant now, Duration validity) {
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, ORGANIZATION)
                .addRDN(BCStyle.OU, DEPARTMENTS_OU).addRDN(BCStyle.CN, department).build();
        return leaf(ca, subject, department, now, validity, KeyPurposeId.id_kp_clientAuth, null);
    }

    /**
     * A PKCS#12 key store holding {@code issued}'s key under alias {@code alias}, with its certificate and
     * {@code chain} above it, protected by {@code password} (what Kafka's {@code ssl.keystore.type=PKCS12} reads).
     */
    public static byte[] pkcs12(Issued issued, List<X509Certificate> chain, String alias, char[] password) {
        try {
            java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
            store.load(null, null);
            List<X509Certificate> all = new ArrayList<>();
            all.add(issued.certificate());
            all.addAll(chain);
            store.setKeyEntry(alias, issued.key(), password, all.toArray(java.security.cert.Certificate[]::new));
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            store.store(out, password);
            return out.toByteArray();
        } catch (IOException | GeneralSecurityException e) {
            throw new TlsException("cannot build the PKCS#12 key store of " + issued + ": " + e.getMessage(), e);
        }
    }

    private static Issued leaf(Issued ca, String commonName, Instant now, Duration validity, KeyPurposeId purpose, DERSequence sans) {
        return leaf(ca, name(commonName), commonName, now, validity, purpose, sans);
    }

    private static Issued leaf(Issued ca, X500Name subject, String commonName, Instant now, Duration validity, KeyPurposeId purpose,
            DERSequence sans) {
        KeyPair pair = newKeyPair();
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X500Name issuer = X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded());
            X509v3CertificateBuilder b = builder(issuer, subject, pair, now, validity)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca.certificate()));
            if (sans != null) {
                b.addExtension(Extension.subjectAlternativeName, false, sans);
            }
            return new Issued(pair.getPrivate(), sign(b, ca.key()));
        } catch (IOException | GeneralSecurityException e) {
            throw new TlsException("cannot issue a certificate for " + commonName + ": " + e.getMessage(), e);
        }
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair pair, Instant now, Duration validity) {
        // a minute back: a peer whose clock is slightly behind accepts a certificate issued a moment ago
        Date notBefore = Date.from(now.minusSeconds(60));
        Date notAfter = Date.from(now.plus(validity));
        return new JcaX509v3CertificateBuilder(issuer, new BigInteger(127, RANDOM).add(BigInteger.ONE), notBefore, notAfter,
                subject, pair.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer) throws CertificateException {
        try {
            return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(SIGNATURE).build(signer)));
        } catch (OperatorCreationException e) {
            throw new TlsException("cannot sign a certificate: " + e.getMessage(), e);
        }
    }

    private static X500Name name(String commonName) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).addRDN(BCStyle.O, ORGANIZATION).build();
    }

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new TlsException("cannot generate an EC key: " + e.getMessage(), e);
        }
    }

    /** Whether {@code name} is a literal IPv4 or IPv6 address (no name lookup). */
    static boolean isIpAddress(String name) {
        return name.matches("\\d{1,3}(\\.\\d{1,3}){3}") || (name.contains(":") && name.matches("[0-9a-fA-F:.]+"));
    }

    /** The names a server certificate should carry for a bus listening on {@code listenHost} and reached as {@code advertisedHost}. */
    public static List<String> serverNames(String advertisedHost, String listenHost) {
        Set<String> names = new LinkedHashSet<>();
        names.add(advertisedHost);
        if (!"0.0.0.0".equals(listenHost) && !"::".equals(listenHost)) {
            names.add(listenHost);
        }
        names.add("localhost");
        names.add("127.0.0.1");
        return List.copyOf(names);
    }

    /** PEM text of {@code certificates}, in order. */
    public static String pem(List<X509Certificate> certificates) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            for (X509Certificate c : certificates) {
                w.writeObject(c);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Unencrypted PKCS#8 PEM of {@code key} ({@code -----BEGIN PRIVATE KEY-----}). */
    public static String keyPem(PrivateKey key) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(new JcaPKCS8Generator(key, null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Every certificate in PEM {@code text}, parsed by the JDK. */
    public static List<X509Certificate> readCertificates(String text) {
        try {
            List<X509Certificate> out = new ArrayList<>();
            for (var c : CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)))) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw new TlsException("no certificate found in the PEM text");
            }
            return out;
        } catch (CertificateException e) {
            throw new TlsException("not a PEM certificate: " + e.getMessage(), e);
        }
    }

    /** The private key in PEM {@code text} (PKCS#8, or a PKCS#1/SEC1 key pair), unencrypted. */
    public static PrivateKey readKey(String text) {
        try (PEMParser parser = new PEMParser(new StringReader(text))) {
            Object o = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (o instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            if (o instanceof PEMKeyPair pair) {
                return converter.getKeyPair(pair).getPrivate();
            }
            throw new TlsException("no unencrypted private key found in the PEM text"
                    + (o == null ? "" : " (found " + o.getClass().getSimpleName() + ")"));
        } catch (IOException e) {
            throw new TlsException("cannot read the private key: " + e.getMessage(), e);
        }
    }

    /** {@code InetAddress} check used by callers that must tell a loopback address from others. */
    public static boolean isLoopback(String host) {
        if ("localhost".equalsIgnoreCase(host)) {
            return true;
        }
        if (!isIpAddress(host)) {
            return false;
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }
}
