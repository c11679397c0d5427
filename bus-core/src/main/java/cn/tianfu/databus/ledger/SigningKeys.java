package cn.tianfu.databus.ledger;

import cn.tianfu.databus.ledger.internal.KeyFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.PKCS8EncodedKeySpec;

/**
 * The exchange log's Ed25519 signing key pair, which signs {@link Checkpoint}s. Kept under {@code <dataDir>/keys/}:
 * {@value #PRIVATE_KEY_FILE} (PKCS#8 DER, mode 600), {@value #PUBLIC_KEY_FILE} (X.509 DER) and
 * {@value #PUBLIC_PEM_FILE} (the same in PEM, to publish for auditors).
 *
 * <pre>{@code
 * SigningKeys keys = SigningKeys.loadOrCreate(dataDir);
 * byte[] signature = keys.sign(checkpoint);
 * // an auditor, with only the published PEM:
 * boolean ok = SigningKeys.verify(checkpoint, signature, PublicKeys.fromPem(pem));
 * }</pre>
 *
 * Thread-safe.
 */
public final class SigningKeys {

    /** The signature algorithm (JCA name). */
    public static final String ALGORITHM = "Ed25519";
    public static final String PRIVATE_KEY_FILE = "exchange-log.key";
    public static final String PUBLIC_KEY_FILE = "exchange-log.pub";
    public static final String PUBLIC_PEM_FILE = "exchange-log.pub.pem";

    private final PrivateKey privateKey;
    private final PublicKey publicKey;

    private SigningKeys(PrivateKey privateKey, PublicKey publicKey) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
    }

    /** Where the bus in {@code dataDir} publishes its public key as PEM. */
    public static Path publicPemFile(Path dataDir) {
        return dataDir.resolve(KeyFiles.KEYS_DIR).resolve(PUBLIC_PEM_FILE);
    }

    /** A new key pair held in memory only. */
    public static SigningKeys generate() {
        try {
            KeyPair pair = KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
            return new SigningKeys(pair.getPrivate(), pair.getPublic());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Ed25519 is missing from this Java runtime", e);
        }
    }

    /**
     * Loads the key pair from {@code <dataDir>/keys/}, generating and saving one on first use.
     *
     * @throws LedgerException when the files cannot be read or written, are damaged, or do not form a pair
     */
    public static SigningKeys loadOrCreate(Path dataDir) {
        Path dir = KeyFiles.keysDir(dataDir);
        Path privateFile = dir.resolve(PRIVATE_KEY_FILE);
        Path publicFile = dir.resolve(PUBLIC_KEY_FILE);
        Path pemFile = dir.resolve(PUBLIC_PEM_FILE);
        if (!Files.exists(privateFile)) {
            SigningKeys fresh = generate();
            // public files first: the private key file marks a complete pair
            KeyFiles.write(publicFile, fresh.publicKey.getEncoded(), false, true);
            KeyFiles.write(pemFile, fresh.publicKeyPem().getBytes(StandardCharsets.US_ASCII), false, true);
            if (KeyFiles.write(privateFile, fresh.privateKey.getEncoded(), true, false)) {
                return fresh;
            }
        }
        PrivateKey privateKey;
        try {
            privateKey = KeyFactory.getInstance(ALGORITHM)
                    .generatePrivate(new PKCS8EncodedKeySpec(KeyFiles.read(privateFile, true)));
        } catch (GeneralSecurityException e) {
            throw new LedgerException("Signing key " + privateFile + " is not an Ed25519 PKCS#8 key ("
                    + e.getMessage() + "); restore it from backup", e);
        }
        if (!Files.exists(publicFile)) {
            throw new LedgerException("Public key " + publicFile + " is missing next to " + privateFile
                    + "; restore it from backup or from the published " + PUBLIC_PEM_FILE);
        }
        PublicKey publicKey = PublicKeys.fromDer(KeyFiles.read(publicFile, false));
        SigningKeys keys = new SigningKeys(privateKey, publicKey);
        byte[] probe = "tianfu-databus/key-pair-check".getBytes(StandardCharsets.US_ASCII);
        if (!verifyBytes(probe, keys.signBytes(probe), publicKey)) {
            throw new LedgerException("Public key " + publicFile + " does not belong to the signing key "
                    + privateFile + "; restore the pair from backup");
        }
        if (!Files.exists(pemFile)) {
            KeyFiles.write(pemFile, keys.publicKeyPem().getBytes(StandardCharsets.US_ASCII), false, true);
        }
        return keys;
    }

    /** Ed25519 signature (64 bytes) of the checkpoint's canonical bytes. */
    public byte[] sign(Checkpoint checkpoint) {
        return signBytes(checkpoint.canonicalBytes());
    }

    /**
     * Ed25519 signature (64 bytes) of arbitrary bytes with the bus's key: the signing input of a signed statement the
     * bus issues besides its checkpoints (the service exchange's proofs, {@code docs/service.md}).
     */
    public byte[] signData(byte[] data) {
        return signBytes(data);
    }

    /** Whether {@code signature} is {@code publicKey}'s Ed25519 signature of {@code data}. */
    public static boolean verifyData(byte[] data, byte[] signature, PublicKey publicKey) {
        return verifyBytes(data, signature, publicKey);
    }

    /** The public key to publish. */
    public PublicKey publicKey() {
        return publicKey;
    }

    /** The public key in PEM. */
    public String publicKeyPem() {
        return PublicKeys.toPem(publicKey);
    }

    /** Whether {@code signature} is {@code publicKey}'s Ed25519 signature of the checkpoint's canonical bytes. */
    public static boolean verify(Checkpoint checkpoint, byte[] signature, PublicKey publicKey) {
        return verifyBytes(checkpoint.canonicalBytes(), signature, publicKey);
    }

    private byte[] signBytes(byte[] data) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initSign(privateKey);
            s.update(data);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new LedgerException("Cannot sign with the exchange-log key: " + e.getMessage(), e);
        }
    }

    private static boolean verifyBytes(byte[] data, byte[] signature, PublicKey publicKey) {
        if (signature == null || publicKey == null) {
            return false;
        }
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initVerify(publicKey);
            s.update(data);
            return s.verify(signature);
        } catch (InvalidKeyException | SignatureException e) {
            return false;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Ed25519 is missing from this Java runtime", e);
        }
    }
}
