package cn.tianfu.databus.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import cn.tianfu.databus.ledger.Checkpoint;
import cn.tianfu.databus.ledger.ExchangeEntries;
import cn.tianfu.databus.ledger.ExchangeEntry;
import cn.tianfu.databus.ledger.ExchangeLogRecords;
import cn.tianfu.databus.ledger.HashChain;
import cn.tianfu.databus.ledger.KeyHasher;
import cn.tianfu.databus.ledger.SigningKeys;

class TransparencyIndexTest {

    private static final KeyHasher HASHER = KeyHasher.withSecret(new byte[32]);
    private static final String ALICE = "510104199001011234";
    private static final String BOB = "510105198502023456";
    private final SigningKeys keys = SigningKeys.generate();
    private final TransparencyIndex index = new TransparencyIndex();
    private final HashChain chain = HashChain.genesis();
    private long count;

    private ExchangeEntry append(String key, String consumer, ExchangeEntry.Operation op,
                                 ExchangeEntry.RetractReason reason) {
        ExchangeEntries.Terms terms = new ExchangeEntries.Terms("10101-000001", "psb", consumer, "g-" + consumer,
                "eligibility");
        ExchangeEntries.Source source = new ExchangeEntries.Source("src.psb.10101-000001", 0, count,
                key.getBytes(StandardCharsets.UTF_8));
        ExchangeEntry e = reason == null
                ? ExchangeEntries.forDelivery(HASHER, 1_740_816_000_000L + count, terms, source, op,
                        "dlv." + consumer + ".10101-000001", 0, op == ExchangeEntry.Operation.UPSERT ? new byte[] {1} : null)
                : ExchangeEntries.forWithdrawal(HASHER, 1_740_816_000_000L + count, terms, source, op,
                        "dlv." + consumer + ".10101-000001", 0, null, reason, "t");
        ExchangeEntry chained = chain.append(e);
        index.addEntry(0, chained);
        count++;
        return chained;
    }

    private void checkpoint() {
        Checkpoint cp = new Checkpoint(0, chain.entryCount() - 1, chain.entryCount(), chain.head(), 1_740_900_000_000L);
        index.addCheckpoint(cp, keys.sign(cp), ExchangeLogRecords.publicKeyId(keys.publicKey()));
    }

    @Test
    void aPersonSeesExactlyTheirOwnExchangesEachWithAProofThatVerifiesOffline() {
        append(ALICE, "mca", ExchangeEntry.Operation.UPSERT, null);
        append(BOB, "mca", ExchangeEntry.Operation.UPSERT, null);
        append(ALICE, "hrss", ExchangeEntry.Operation.UPSERT, null);
        checkpoint();
        append(ALICE, "mca", ExchangeEntry.Operation.RETRACT, ExchangeEntry.RetractReason.REVOKED);
        append(BOB, "hrss", ExchangeEntry.Operation.UPSERT, null);
        checkpoint();
        append(ALICE, "hrss", ExchangeEntry.Operation.RETRACT, ExchangeEntry.RetractReason.EXPIRED);   // not yet covered

        List<TransparencyIndex.Found> alice = index.exchangesOf(HASHER.hash(ALICE.getBytes(StandardCharsets.UTF_8)));
        assertThat(alice).extracting(f -> f.entry().consumer()).containsExactly("mca", "hrss", "mca", "hrss");
        assertThat(alice).extracting(f -> f.entry().retractReason()).containsExactly(null, null,
                ExchangeEntry.RetractReason.REVOKED, ExchangeEntry.RetractReason.EXPIRED);
        assertThat(alice.get(3).proof()).as("no checkpoint covers it yet").isNull();
        for (TransparencyIndex.Found f : alice.subList(0, 3)) {
            // through its JSON, as a citizen would keep it
            InclusionProof read = InclusionProof.fromJson(f.proof().toJson().toString());
            read.verify(keys.publicKey());
            assertThat(read.entry()).isEqualTo(f.entry());
        }
        assertThat(index.exchangesOf(HASHER.hash(BOB.getBytes(StandardCharsets.UTF_8))))
                .extracting(f -> f.entry().keyHash()).containsOnly(HASHER.hash(BOB.getBytes(StandardCharsets.UTF_8)))
                .hasSize(2);
        assertThat(index.exchangesOf(HASHER.hash("110101200001010000".getBytes(StandardCharsets.UTF_8)))).isEmpty();
    }

    @Test
    void aTamperedProofOrAnotherKeyFails() {
        append(ALICE, "mca", ExchangeEntry.Operation.UPSERT, null);
        append(BOB, "mca", ExchangeEntry.Operation.UPSERT, null);
        checkpoint();
        InclusionProof good = index.exchangesOf(HASHER.hash(ALICE.getBytes(StandardCharsets.UTF_8))).get(0).proof();
        good.verify(keys.publicKey());

        String json = good.toJson().toString();
        assertThatThrownBy(() -> InclusionProof.fromJson(json.replace("\"consumer\":\"mca\"", "\"consumer\":\"amr\""))
                .verify(keys.publicKey())).isInstanceOf(AuditException.class).hasMessageContaining("altered");
        String seg = good.toJson().get("segment").get(1).asText();
        String flipped = seg.substring(0, seg.length() - 1) + (seg.endsWith("0") ? "1" : "0");
        assertThatThrownBy(() -> InclusionProof.fromJson(json.replace(seg, flipped)).verify(keys.publicKey()))
                .isInstanceOf(AuditException.class).hasMessageContaining("head hash");
        assertThatThrownBy(() -> good.verify(SigningKeys.generate().publicKey()))
                .isInstanceOf(AuditException.class).hasMessageContaining("signature");
    }
}
