package cn.tianfu.databus.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

class PasswordsTest {

    @Test
    void generatedPasswordsAreLongAlphanumericAndDistinct() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            String p = Passwords.generate();
            assertThat(p).hasSize(32).matches("[A-Za-z0-9]+");
            assertThat(seen.add(p)).isTrue();
        }
    }

    @Test
    void aDerivedPasswordIsTheSameForOneSecretAndPurposeAndDiffersOtherwise() {
        String derived = Passwords.derived("the-bus-secret", "authority");
        assertThat(derived).hasSize(32).matches("[A-Za-z0-9]{32}");
        assertThat(Passwords.derived("the-bus-secret", "authority")).isEqualTo(derived);
        assertThat(Passwords.derived("the-bus-secret", "psb")).isNotEqualTo(derived);
        assertThat(Passwords.derived("another-secret", "authority")).isNotEqualTo(derived);
        assertThat(Passwords.matches(derived, Passwords.verifier(derived))).isTrue();
    }

    @Test
    void aVerifierMatchesOnlyItsPasswordAndIsSalted() {
        String password = Passwords.generate();
        String v1 = Passwords.verifier(password);
        String v2 = Passwords.verifier(password);
        assertThat(v1).startsWith(Passwords.SCHEME + "$").doesNotContain(password).isNotEqualTo(v2);
        assertThat(Passwords.matches(password, v1)).isTrue();
        assertThat(Passwords.matches(password, v2)).isTrue();
        assertThat(Passwords.matches(password + "x", v1)).isFalse();
        assertThat(Passwords.matches(password, null)).isFalse();
        assertThat(Passwords.matches(password, "sha1$1$abc$def")).isFalse();
        assertThat(Passwords.matches(password, "pbkdf2-sha256$x$!!$??")).isFalse();
    }
}
