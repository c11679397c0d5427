package cn.tianfu.databus.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import cn.tianfu.databus.schemas.DeadLetter;

class DeadLettersTest {

    @Test
    void aSmallOriginalIsKeptWholeWithItsSizeAndDigest() {
        byte[] value = "not avro".getBytes(StandardCharsets.UTF_8);
        DeadLetter dl = DeadLetters.builder("test", DeadLetterReason.MALFORMED_BYTES, "bad")
                .original("k".getBytes(StandardCharsets.UTF_8), value, null).build();
        assertThat(dl.getOriginalValue().array()).isEqualTo(value);
        assertThat(dl.getOriginalValueSize()).isEqualTo(value.length);
        // sha256("not avro")
        assertThat(dl.getOriginalValueSha256()).hasSize(64).isEqualTo(DeadLetters.sha256Hex(value));
        assertThat(dl.getOriginalKeySize()).isEqualTo(1);
        assertThat(dl.getTruncated()).isFalse();
    }

    @Test
    void aLargeOriginalKeepsABoundedPrefixAndTheDigestOfTheWhole() {
        byte[] value = new byte[5 * 1024 * 1024];
        Arrays.fill(value, (byte) 'x');
        value[value.length - 1] = 'y';
        byte[] key = new byte[10_000];
        RecordHeaders headers = new RecordHeaders();
        for (int i = 0; i < 40; i++) {
            headers.add("h" + i, new byte[2_000]);
        }
        DeadLetter dl = DeadLetters.builder("test", DeadLetterReason.RECORD_TOO_LARGE, "m".repeat(100_000))
                .original(key, value, headers).build();
        assertThat(dl.getOriginalValue().remaining()).isEqualTo(DeadLetters.MAX_VALUE_BYTES);
        assertThat(dl.getOriginalKey().remaining()).isEqualTo(DeadLetters.MAX_KEY_BYTES);
        assertThat(dl.getOriginalValueSize()).isEqualTo(value.length);
        assertThat(dl.getOriginalValueSha256()).isEqualTo(DeadLetters.sha256Hex(value))
                .isNotEqualTo(DeadLetters.sha256Hex(Arrays.copyOf(value, value.length - 1)));
        assertThat(dl.getOriginalHeaders().values()).allSatisfy(b -> assertThat(b.remaining()).isEqualTo(DeadLetters.MAX_HEADER_BYTES));
        int headerBytes = dl.getOriginalHeaders().entrySet().stream()
                .mapToInt(e -> e.getKey().length() + e.getValue().remaining()).sum();
        assertThat(headerBytes).isLessThanOrEqualTo(DeadLetters.MAX_HEADERS_BYTES).isPositive();
        assertThat(dl.getMessage().length()).isLessThanOrEqualTo(DeadLetters.MAX_MESSAGE_CHARS + 1);
        assertThat(dl.getTruncated()).isTrue();
    }
}
