package cn.tianfu.databus.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyHasherTest {

    private static final byte[] KEY = "510104199001011234".getBytes(StandardCharsets.UTF_8);

    @Test
    void theSecretIsCreatedOnceOwnerOnlyAndStableAcrossReloads(@TempDir Path dataDir) throws IOException {
        String first = KeyHasher.loadOrCreate(dataDir).hash(KEY);

        Path secret = dataDir.resolve("keys/key-hash.secret");
        assertThat(Files.size(secret)).isEqualTo(32);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secret))).isEqualTo("rw-------");
        assertThat(KeyHasher.loadOrCreate(dataDir).hash(KEY)).isEqualTo(first);
        assertThat(first).matches("[0-9a-f]{64}").doesNotContain("510104");
    }

    @Test
    void anotherSecretGivesAnotherHash(@TempDir Path one, @TempDir Path two) {
        assertThat(KeyHasher.loadOrCreate(one).hash(KEY)).isNotEqualTo(KeyHasher.loadOrCreate(two).hash(KEY));
    }

    @Test
    void isHmacSha256OfTheKeyBytes() throws Exception {
        byte[] secret = new byte[32];
        for (int i = 0; i < secret.length; i++) {
            secret[i] = (byte) i;
        }
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret, "HmacSHA256"));
        assertThat(KeyHasher.withSecret(secret).hash(KEY)).isEqualTo(HexFormat.of().formatHex(mac.doFinal(KEY)));
        assertThat(KeyHasher.withSecret(secret).hash("other".getBytes())).isNotEqualTo(
                KeyHasher.withSecret(secret).hash(KEY));
    }

    @Test
    void theValueDigestIsHmacSha256UnderAKeyDerivedForValuesNotAPlainHash() throws Exception {
        byte[] secret = new byte[32];
        for (int i = 0; i < secret.length; i++) {
            secret[i] = (byte) (7 * i);
        }
        byte[] value = "{\"name\":\"张三\",\"status\":\"eligible\"}".getBytes(StandardCharsets.UTF_8);
        Mac outer = Mac.getInstance("HmacSHA256");
        outer.init(new SecretKeySpec(secret, "HmacSHA256"));
        byte[] valueKey = outer.doFinal("tianfu-databus/value-digest".getBytes(StandardCharsets.UTF_8));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(valueKey, "HmacSHA256"));

        KeyHasher hasher = KeyHasher.withSecret(secret);
        assertThat(hasher.valueDigest(value)).isEqualTo(HexFormat.of().formatHex(mac.doFinal(value)))
                .isNotEqualTo(Digests.sha256Hex(value))
                .isNotEqualTo(hasher.hash(value));
        byte[] other = secret.clone();
        other[0] ^= 1;
        assertThat(KeyHasher.withSecret(other).valueDigest(value)).isNotEqualTo(hasher.valueDigest(value));
    }

    @Test
    void aDamagedSecretIsRefused(@TempDir Path dataDir) throws IOException {
        Files.createDirectories(dataDir.resolve("keys"));
        Files.write(dataDir.resolve("keys/key-hash.secret"), new byte[5]);
        assertThatThrownBy(() -> KeyHasher.loadOrCreate(dataDir)).isInstanceOf(LedgerException.class)
                .hasMessageContaining("5 bytes");
        assertThatThrownBy(() -> KeyHasher.withSecret(new byte[16])).isInstanceOf(LedgerException.class);
    }

    @Test
    void isThreadSafe(@TempDir Path dataDir) throws InterruptedException {
        KeyHasher hasher = KeyHasher.loadOrCreate(dataDir);
        String expected = hasher.hash(KEY);
        List<String> wrong = new CopyOnWriteArrayList<>();
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 5000; i++) {
                    String h = hasher.hash(KEY);
                    if (!h.equals(expected)) {
                        wrong.add(h);
                    }
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(wrong).isEmpty();
    }

    @Test
    void digestIsSha256Hex() {
        assertThat(Digests.sha256Hex("abc".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(Digests.sha256Hex(new byte[0]))
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }
}
