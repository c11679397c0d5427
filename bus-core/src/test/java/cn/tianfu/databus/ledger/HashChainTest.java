package cn.tianfu.databus.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class HashChainTest {

    @Test
    void firstEntryLinksToGenesisAndEachNextToItsPredecessor() {
        HashChain chain = HashChain.genesis();
        List<ExchangeEntry> log = Entries.chained(chain, 5);

        assertThat(log.get(0).prevHash()).isEqualTo(HashChain.GENESIS).isEqualTo("0".repeat(64));
        for (int i = 1; i < log.size(); i++) {
            assertThat(log.get(i).prevHash()).isEqualTo(log.get(i - 1).hash());
        }
        assertThat(chain.head()).isEqualTo(log.get(4).hash());
        assertThat(chain.entryCount()).isEqualTo(5);
        assertThat(log).extracting(ExchangeEntry::hash).doesNotHaveDuplicates()
                .allSatisfy(h -> assertThat(h).matches("[0-9a-f]{64}"));
    }

    @Test
    void hashFollowsThePublishedEncoding() throws Exception {
        ExchangeEntry e = HashChain.genesis().append(Entries.delivery(3));

        // recompute independently from the DESIGN.md specification
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeByte(1);
        text(out, e.exchangeId());
        int64(out, e.timeMillis());
        text(out, "PUSH");
        text(out, "population");
        text(out, "public-security");
        text(out, "civil-affairs");
        text(out, e.grantId());
        text(out, "低保资格核查");
        text(out, e.keyHash());
        text(out, "UPSERT");
        text(out, e.valueDigest());
        text(out, "src.public-security.population");
        out.writeByte(1);
        out.writeInt(0);
        int64(out, 3L);
        text(out, "dlv.civil-affairs.population");
        out.writeByte(1);
        out.writeInt(0);
        int64(out, 1L);
        out.flush();
        assertThat(CanonicalEncoding.entry(e)).isEqualTo(bytes.toByteArray());

        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(new byte[32]);
        sha.update(bytes.toByteArray());
        assertThat(e.hash()).isEqualTo(HexFormat.of().formatHex(sha.digest()));
        assertThat(HashChain.computeHash(HashChain.GENESIS, e)).isEqualTo(e.hash());
    }

    @Test
    void nullFieldsAreMarkedSoTheyCannotBeConfusedWithEmptyOnes() {
        ExchangeEntry tombstone = Entries.delivery(7);
        assertThat(tombstone.valueDigest()).isNull();
        ExchangeEntry empty = new ExchangeEntry(tombstone.exchangeId(), tombstone.timeMillis(), tombstone.mode(),
                tombstone.resourceCode(), tombstone.provider(), tombstone.consumer(), tombstone.grantId(),
                tombstone.purpose(), tombstone.keyHash(), tombstone.operation(), "", tombstone.sourceTopic(),
                tombstone.sourcePartition(), tombstone.sourceOffset(), tombstone.deliveryTopic(),
                tombstone.deliveryPartition(), tombstone.deliveryOffset(), null, null);
        assertThat(CanonicalEncoding.entry(empty)).isNotEqualTo(CanonicalEncoding.entry(tombstone));
        // moving a character from one field to the next changes the encoding (length prefixes)
        ExchangeEntry a = Entries.delivery(1);
        ExchangeEntry b = new ExchangeEntry(a.exchangeId(), a.timeMillis(), a.mode(), a.resourceCode(),
                a.provider() + "c", a.consumer().substring(1), a.grantId(), a.purpose(), a.keyHash(), a.operation(),
                a.valueDigest(), a.sourceTopic(), a.sourcePartition(), a.sourceOffset(), a.deliveryTopic(),
                a.deliveryPartition(), a.deliveryOffset(), null, null);
        assertThat(CanonicalEncoding.entry(a)).isNotEqualTo(CanonicalEncoding.entry(b));
    }

    @Test
    void resumedChainContinuesWhereItStopped() {
        HashChain first = HashChain.genesis();
        List<ExchangeEntry> whole = Entries.chained(first, 4);

        HashChain resumed = HashChain.resume(whole.get(1).hash(), 2);
        assertThat(resumed.append(Entries.delivery(2))).isEqualTo(whole.get(2));
        assertThat(resumed.append(Entries.delivery(3))).isEqualTo(whole.get(3));
        assertThat(resumed.entryCount()).isEqualTo(4);
        assertThatThrownBy(() -> HashChain.resume("abc", 0)).isInstanceOf(LedgerException.class);
    }

    @Test
    void exchangeIdsAreDeterministicAndDistinct() {
        String id = ExchangeIds.forDelivery("src.a.b", 1, 42, "g1", ExchangeEntry.Operation.UPSERT);
        assertThat(id).hasSize(32).matches("[0-9a-f]{32}")
                .isEqualTo(ExchangeIds.forDelivery("src.a.b", 1, 42, "g1", ExchangeEntry.Operation.UPSERT));
        List<String> others = new ArrayList<>(List.of(
                ExchangeIds.forDelivery("src.a.b", 1, 43, "g1", ExchangeEntry.Operation.UPSERT),
                ExchangeIds.forDelivery("src.a.b", 2, 42, "g1", ExchangeEntry.Operation.UPSERT),
                ExchangeIds.forDelivery("src.a.c", 1, 42, "g1", ExchangeEntry.Operation.UPSERT),
                ExchangeIds.forDelivery("src.a.b", 1, 42, "g2", ExchangeEntry.Operation.UPSERT),
                ExchangeIds.forDelivery("src.a.b", 1, 42, "g1", ExchangeEntry.Operation.RETRACT)));
        others.add(id);
        assertThat(others).doesNotHaveDuplicates();
    }

    private static void text(DataOutputStream out, String s) throws IOException {
        out.writeByte(1);
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static void int64(DataOutputStream out, long v) throws IOException {
        out.writeByte(1);
        out.writeLong(v);
    }
}
