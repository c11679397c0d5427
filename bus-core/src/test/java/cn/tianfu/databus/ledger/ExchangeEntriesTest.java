package cn.tianfu.databus.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.tianfu.databus.schemas.ExchangeLogEntry;
import cn.tianfu.databus.schemas.ExchangeMode;
import cn.tianfu.databus.schemas.ExchangeOperation;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ExchangeEntriesTest {

    private static final KeyHasher HASHER = KeyHasher.withSecret(new byte[32]);
    private static final String SOURCE = "src.psb.10101-000001";
    private static final byte[] KEY = "510104199001011234".getBytes(StandardCharsets.UTF_8);
    private static final byte[] DELIVERED = {0, 0, 0, 0, 1, 2, 3};
    private static final long TIME = 1_740_816_000_000L;
    private static final ExchangeEntries.Terms TERMS = new ExchangeEntries.Terms("10101-000001", "psb", "mca", "g-1",
            "social assistance eligibility checks");

    private static ExchangeEntry upsert() {
        return ExchangeEntries.forDelivery(HASHER, TIME, TERMS, new ExchangeEntries.Source(SOURCE, 2, 42L, KEY),
                ExchangeEntry.Operation.UPSERT, "dlv.mca.10101-000001", 1, DELIVERED);
    }

    @Test
    void aDeliveryRecordsWhoGotWhatFromWhereWithoutPersonalData() {
        ExchangeEntry e = upsert();

        assertThat(e).isEqualTo(new ExchangeEntry(
                ExchangeIds.forDelivery(SOURCE, 2, 42L, "g-1", ExchangeEntry.Operation.UPSERT), TIME,
                ExchangeEntry.Mode.PUSH, "10101-000001", "psb", "mca", "g-1", "social assistance eligibility checks",
                HASHER.hash(KEY), ExchangeEntry.Operation.UPSERT, HASHER.valueDigest(DELIVERED), SOURCE, 2, 42L,
                "dlv.mca.10101-000001", 1, null, null, null));
    }

    @Test
    void theBytesAndHashOfAnEntryStayThoseOfTheLogsAlreadyWritten() {
        ExchangeEntry e = upsert();

        // fixed values: an entry the router wrote before must still verify
        assertThat(e.exchangeId()).isEqualTo("b647bb2839de11dc68d7ecc9585461e7");
        assertThat(e.keyHash()).isEqualTo("a4899dc111b7111787e84af232407c26a31a614d70d88c0e88c4e6a3619192f2");
        assertThat(e.valueDigest()).isEqualTo("f88f38110a94868e6cff1730cb3b6ccd265bfa8833e004fb567aeca857350338");
        assertThat(HashChain.computeHash(HashChain.GENESIS, e))
                .isEqualTo("92df02787ad77e7c5e6a249a2dddc2586bb100afa23931a61038739410824a65");
        assertThat(ExchangeIds.forDelivery(SOURCE, 0, 7L, "g-2", ExchangeEntry.Operation.RETRACT))
                .isEqualTo("f2a18fc40acf1fbc5d88fa1957037334");
    }

    @Test
    void aWithdrawalCarriesItsReasonInTheHashAndAnIdOfItsOwn() {
        ExchangeEntries.Source source = new ExchangeEntries.Source(SOURCE, 2, 42L, KEY);
        ExchangeEntry revoked = ExchangeEntries.forWithdrawal(HASHER, TIME, TERMS, source,
                ExchangeEntry.Operation.RETRACT, "dlv.mca.10101-000001", 1, null, ExchangeEntry.RetractReason.REVOKED,
                "t1");
        ExchangeEntry plain = ExchangeEntries.forDelivery(HASHER, TIME, TERMS, source, ExchangeEntry.Operation.RETRACT,
                "dlv.mca.10101-000001", 1, null);

        assertThat(revoked.retractReason()).isEqualTo(ExchangeEntry.RetractReason.REVOKED);
        assertThat(revoked.keyHash()).isEqualTo(plain.keyHash());
        assertThat(revoked.exchangeId()).isNotEqualTo(plain.exchangeId())
                .isNotEqualTo(ExchangeEntries.forWithdrawal(HASHER, TIME, TERMS, source,
                        ExchangeEntry.Operation.RETRACT, "dlv.mca.10101-000001", 1, null,
                        ExchangeEntry.RetractReason.NARROWED, "t1").exchangeId())
                .isNotEqualTo(ExchangeEntries.forWithdrawal(HASHER, TIME, TERMS, source,
                        ExchangeEntry.Operation.RETRACT, "dlv.mca.10101-000001", 1, null,
                        ExchangeEntry.RetractReason.REVOKED, "t2").exchangeId());
        // the reason is hashed: the same entry without it (or with another) has another hash
        ExchangeEntry sameIdNoReason = revoked.withRetractReason(null);
        assertThat(HashChain.computeHash(HashChain.GENESIS, revoked))
                .isNotEqualTo(HashChain.computeHash(HashChain.GENESIS, sameIdNoReason))
                .isNotEqualTo(HashChain.computeHash(HashChain.GENESIS,
                        revoked.withRetractReason(ExchangeEntry.RetractReason.EXPIRED)));
        // an entry without a reason encodes as before: the bytes end after deliveryOffset
        assertThat(CanonicalEncoding.entry(revoked)).startsWith(CanonicalEncoding.entry(sameIdNoReason));
        assertThat(ExchangeLogRecords.toEntry(ExchangeLogRecords.toAvro(revoked))).isEqualTo(revoked);
        assertThatThrownBy(() -> ExchangeEntries.forWithdrawal(HASHER, TIME, TERMS, source,
                ExchangeEntry.Operation.DELETE, "dlv.mca.10101-000001", 1, null, ExchangeEntry.RetractReason.REVOKED,
                "t1")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aTombstoneHasNoValueDigestAndItsOwnId() {
        ExchangeEntry retract = ExchangeEntries.forDelivery(HASHER, TIME, TERMS,
                new ExchangeEntries.Source(SOURCE, 2, 42L, KEY), ExchangeEntry.Operation.RETRACT,
                "dlv.mca.10101-000001", 1, null);

        assertThat(retract.valueDigest()).isNull();
        assertThat(retract.operation()).isEqualTo(ExchangeEntry.Operation.RETRACT);
        assertThat(retract.exchangeId()).isNotEqualTo(upsert().exchangeId())
                .isEqualTo(ExchangeIds.forDelivery(SOURCE, 2, 42L, "g-1", ExchangeEntry.Operation.RETRACT));
    }

    @Test
    void refusesAnUpsertWithoutValueAndATombstoneWithOne() {
        ExchangeEntries.Source source = new ExchangeEntries.Source(SOURCE, 0, 1L, KEY);
        assertThatThrownBy(() -> ExchangeEntries.forDelivery(HASHER, TIME, TERMS, source,
                ExchangeEntry.Operation.UPSERT, "dlv.mca.10101-000001", 0, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("UPSERT");
        assertThatThrownBy(() -> ExchangeEntries.forDelivery(HASHER, TIME, TERMS, source,
                ExchangeEntry.Operation.DELETE, "dlv.mca.10101-000001", 0, DELIVERED))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("DELETE");
        assertThatThrownBy(() -> new ExchangeEntries.Terms("10101-000001", "psb", "mca", null, "p"))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("grantId");
    }

    @Test
    void theStagedAvroRecordCarriesEveryFieldAndRoundTrips() {
        ExchangeEntry e = upsert();
        ExchangeLogEntry staged = ExchangeLogRecords.toAvro(e);

        assertThat(staged.getTime()).isEqualTo(Instant.ofEpochMilli(TIME));
        assertThat(staged.getMode()).isEqualTo(ExchangeMode.PUSH);
        assertThat(staged.getOperation()).isEqualTo(ExchangeOperation.UPSERT);
        assertThat(staged.getDeliveryOffset()).isNull();
        assertThat(staged.getPrevHash()).isNull();
        assertThat(staged.getHash()).isNull();
        assertThat(ExchangeLogRecords.toEntry(staged)).isEqualTo(e);
    }

    @Test
    void theExchangeIdInputIsTheDocumentedCanonicalEncoding() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(1);
        text(out, CanonicalEncoding.EXCHANGE_ID_TAG);
        text(out, SOURCE);
        out.writeBytes(new byte[] {1, 0, 0, 0, 2});
        out.write(1);
        out.writeBytes(ByteBuffer.allocate(8).putLong(42L).array());
        text(out, "g-1");
        text(out, "UPSERT");

        assertThat(CanonicalEncoding.exchangeIdInput(SOURCE, 2, 42L, "g-1", ExchangeEntry.Operation.UPSERT))
                .isEqualTo(out.toByteArray());
        assertThat(ExchangeIds.forDelivery(SOURCE, 2, 42L, "g-1", ExchangeEntry.Operation.UPSERT))
                .isEqualTo(Digests.sha256Hex(out.toByteArray()).substring(0, ExchangeIds.LENGTH));
    }

    private static void text(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(1);
        out.writeBytes(ByteBuffer.allocate(4).putInt(b.length).array());
        out.writeBytes(b);
    }
}
