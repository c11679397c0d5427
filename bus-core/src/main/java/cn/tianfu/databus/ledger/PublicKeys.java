package cn.tianfu.databus.ledger;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Ed25519 public keys in the forms auditors receive: PEM ({@code -----BEGIN PUBLIC KEY-----}, X.509
 * SubjectPublicKeyInfo) or its DER bytes.
 *
 * <pre>{@code
 * PublicKey key = PublicKeys.fromPem(Files.readString(Path.of("exchange-log.pub.pem")));
 * boolean ok = SigningKeys.verify(checkpoint, signature, key);
 * }</pre>
 */
public final class PublicKeys {

    private static final String BEGIN = "-----BEGIN PUBLIC KEY-----";
    private static final String END = "-----END PUBLIC KEY-----";

    private PublicKeys() {
    }

    /**
     * Parses a PEM public key.
     *
     * @throws LedgerException when the text is not a PEM Ed25519 public key
     */
    public static PublicKey fromPem(String pem) {
        if (pem == null) {
            throw new LedgerException("No PEM text given");
        }
        int begin = pem.indexOf(BEGIN);
        int end = pem.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new LedgerException("Not a PEM public key: expected text between '" + BEGIN + "' and '" + END + "'");
        }
        String body = pem.substring(begin + BEGIN.length(), end).replaceAll("\\s", "");
        byte[] der;
        try {
            der = Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw new LedgerException("The PEM public key's body is not valid Base64: " + e.getMessage(), e);
        }
        return fromDer(der);
    }

    /**
     * Parses an X.509 (SubjectPublicKeyInfo) DER Ed25519 public key.
     *
     * @throws LedgerException when the bytes are not an Ed25519 public key
     */
    public static PublicKey fromDer(byte[] der) {
        try {
            return KeyFactory.getInstance(SigningKeys.ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new LedgerException("Not an Ed25519 public key: " + e.getMessage(), e);
        }
    }

    /** PEM text of a public key, lines of 64 characters, ending with a newline. */
    public static String toPem(PublicKey key) {
        String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded());
        return BEGIN + "\n" + body + "\n" + END + "\n";
    }
}
