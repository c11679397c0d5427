package cn.tianfu.databus.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PublicKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigningKeysTest {

    private static final Checkpoint CP = new Checkpoint(2, 41_999, 42_000,
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", 1_735_689_600_000L);

    @Test
    void createsTheKeyFilesOnFirstUseWithOwnerOnlySecrets(@TempDir Path dataDir) throws IOException {
        SigningKeys keys = SigningKeys.loadOrCreate(dataDir);

        Path dir = dataDir.resolve("keys");
        Path priv = dir.resolve("exchange-log.key");
        assertThat(priv).exists();
        assertThat(dir.resolve("exchange-log.pub")).exists();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(priv))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
        String pem = Files.readString(dir.resolve("exchange-log.pub.pem"));
        assertThat(pem).startsWith("-----BEGIN PUBLIC KEY-----\n").endsWith("-----END PUBLIC KEY-----\n");
        assertThat(PublicKeys.fromPem(pem)).isEqualTo(keys.publicKey());
        assertThat(Files.readAllBytes(dir.resolve("exchange-log.pub"))).isEqualTo(keys.publicKey().getEncoded());
    }

    @Test
    void reloadingGivesTheSameKeyPair(@TempDir Path dataDir) {
        SigningKeys first = SigningKeys.loadOrCreate(dataDir);
        byte[] signature = first.sign(CP);

        SigningKeys again = SigningKeys.loadOrCreate(dataDir);

        assertThat(again.publicKey()).isEqualTo(first.publicKey());
        assertThat(SigningKeys.verify(CP, again.sign(CP), first.publicKey())).isTrue();
        assertThat(SigningKeys.verify(CP, signature, again.publicKey())).isTrue();
    }

    @Test
    void anAuditorVerifiesWithOnlyThePublishedPem(@TempDir Path dataDir) throws IOException {
        SigningKeys keys = SigningKeys.loadOrCreate(dataDir);
        byte[] signature = keys.sign(CP);

        PublicKey published = PublicKeys.fromPem(Files.readString(dataDir.resolve("keys/exchange-log.pub.pem")));

        assertThat(signature).hasSize(64);
        assertThat(SigningKeys.verify(CP, signature, published)).isTrue();
    }

    @Test
    void anotherKeyDoesNotVerify() {
        SigningKeys bus = SigningKeys.generate();
        SigningKeys other = SigningKeys.generate();
        assertThat(SigningKeys.verify(CP, other.sign(CP), bus.publicKey())).isFalse();
        assertThat(SigningKeys.verify(CP, bus.sign(CP), other.publicKey())).isFalse();
        assertThat(SigningKeys.verify(CP, null, bus.publicKey())).isFalse();
        assertThat(SigningKeys.verify(CP, new byte[3], bus.publicKey())).isFalse();
    }

    @Test
    void anyChangeToTheCheckpointBreaksTheSignature() {
        SigningKeys keys = SigningKeys.generate();
        byte[] signature = keys.sign(CP);
        Checkpoint[] tampered = {
                new Checkpoint(3, CP.offset(), CP.entryCount(), CP.headHash(), CP.timeMillis()),
                new Checkpoint(CP.partition(), CP.offset() + 1, CP.entryCount(), CP.headHash(), CP.timeMillis()),
                new Checkpoint(CP.partition(), CP.offset(), CP.entryCount() - 1, CP.headHash(), CP.timeMillis()),
                new Checkpoint(CP.partition(), CP.offset(), CP.entryCount(), "0" + CP.headHash().substring(1),
                        CP.timeMillis()),
                new Checkpoint(CP.partition(), CP.offset(), CP.entryCount(), CP.headHash(), CP.timeMillis() + 1),
        };
        assertThat(SigningKeys.verify(CP, signature, keys.publicKey())).isTrue();
        for (Checkpoint t : tampered) {
            assertThat(SigningKeys.verify(t, signature, keys.publicKey())).as(t.toString()).isFalse();
        }
        byte[] flipped = signature.clone();
        flipped[10] ^= 1;
        assertThat(SigningKeys.verify(CP, flipped, keys.publicKey())).isFalse();
    }

    @Test
    void damagedOrMismatchedKeyFilesAreRefused(@TempDir Path dataDir) throws IOException {
        SigningKeys.loadOrCreate(dataDir);
        Path pub = dataDir.resolve("keys/exchange-log.pub");
        Files.write(pub, SigningKeys.generate().publicKey().getEncoded());
        assertThatThrownBy(() -> SigningKeys.loadOrCreate(dataDir)).isInstanceOf(LedgerException.class)
                .hasMessageContaining("does not belong");

        Files.delete(pub);
        assertThatThrownBy(() -> SigningKeys.loadOrCreate(dataDir)).isInstanceOf(LedgerException.class)
                .hasMessageContaining("missing");

        Files.write(dataDir.resolve("keys/exchange-log.key"), new byte[] {1, 2, 3});
        assertThatThrownBy(() -> SigningKeys.loadOrCreate(dataDir)).isInstanceOf(LedgerException.class)
                .hasMessageContaining("PKCS#8");
    }

    @Test
    void malformedPemIsRefused() {
        assertThatThrownBy(() -> PublicKeys.fromPem("not a key")).isInstanceOf(LedgerException.class);
        assertThatThrownBy(() -> PublicKeys.fromPem("-----BEGIN PUBLIC KEY-----\n!!!\n-----END PUBLIC KEY-----"))
                .isInstanceOf(LedgerException.class);
        assertThatThrownBy(() -> PublicKeys.fromPem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"))
                .isInstanceOf(LedgerException.class);
    }

    @Test
    void checkpointEncodingIsVersionedAndTagged() {
        byte[] bytes = CP.canonicalBytes();
        assertThat(bytes[0]).isEqualTo((byte) 1);
        assertThat(new String(bytes, 6, CanonicalEncoding.CHECKPOINT_TAG.length()))
                .isEqualTo(CanonicalEncoding.CHECKPOINT_TAG);
        // version + tag + partition + offset + count + head + time
        int expected = 1 + (1 + 4 + CanonicalEncoding.CHECKPOINT_TAG.length()) + (1 + 4) + (1 + 8) + (1 + 8)
                + (1 + 4 + 64) + (1 + 8);
        assertThat(bytes).hasSize(expected);
    }
}
