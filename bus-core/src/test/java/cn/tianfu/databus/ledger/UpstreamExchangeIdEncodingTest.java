package cn.tianfu.databus.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

/**
 * The district tiers' field 19 (ledger DESIGN.md): written only when present, after field 18 written as a text with its
 * presence byte, so entries without it hash as before and the three endings cannot be taken for one another.
 */
class UpstreamExchangeIdEncodingTest {

    private static final String UPSTREAM = "4f1c0d2e9a7b6c5d4e3f2a1b0c9d8e7f";

    @Test
    void anEntryWithoutTheFieldEncodesAsBeforeAndOneWithItEndsWithBothTexts() throws Exception {
        ExchangeEntry plain = Entries.delivery(3);
        byte[] before = CanonicalEncoding.entry(plain);
        assertThat(CanonicalEncoding.entry(plain.withUpstreamExchangeId(null))).isEqualTo(before);

        byte[] withUpstream = CanonicalEncoding.entry(plain.withUpstreamExchangeId(UPSTREAM));
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.write(before);
        expected.write(0);                       // field 18 absent
        expected.write(1);                       // field 19 present
        byte[] text = UPSTREAM.getBytes(StandardCharsets.UTF_8);
        expected.write(new byte[] {0, 0, 0, (byte) text.length});
        expected.write(text);
        assertThat(withUpstream).isEqualTo(expected.toByteArray());
    }

    @Test
    void aWithdrawalAndADistrictRecordNeverShareBytes() {
        ExchangeEntry plain = Entries.delivery(4);
        // a retraction reason whose name's bytes could pass for an upstream id's text are still told apart
        byte[] withdrawn = CanonicalEncoding.entry(plain.withRetractReason(ExchangeEntry.RetractReason.REVOKED));
        byte[] upstream = CanonicalEncoding.entry(plain.withUpstreamExchangeId("REVOKED"));
        byte[] both = CanonicalEncoding.entry(plain.withRetractReason(ExchangeEntry.RetractReason.REVOKED)
                .withUpstreamExchangeId("REVOKED"));
        assertThat(Arrays.equals(withdrawn, upstream)).isFalse();
        assertThat(Arrays.equals(withdrawn, both)).isFalse();
        assertThat(Arrays.equals(upstream, both)).isFalse();
    }

    @Test
    void theChainHashesTheField() {
        ExchangeEntry plain = Entries.delivery(5);
        ExchangeEntry a = HashChain.genesis().append(plain);
        ExchangeEntry b = HashChain.genesis().append(plain.withUpstreamExchangeId(UPSTREAM));
        assertThat(b.hash()).isNotEqualTo(a.hash());
        assertThat(b.upstreamExchangeId()).isEqualTo(UPSTREAM);
        assertThat(ExchangeLogRecords.toEntry(ExchangeLogRecords.toAvro(b))).isEqualTo(b);
    }
}
