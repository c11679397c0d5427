package cn.tianfu.databus.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChainVerifierTest {

    private static final SigningKeys KEYS = SigningKeys.generate();

    private static ChainVerifier verifyAll(List<ExchangeEntry> log) {
        ChainVerifier v = ChainVerifier.fromGenesis();
        for (int i = 0; i < log.size(); i++) {
            v.accept(i, log.get(i));
        }
        return v;
    }

    private static ExchangeEntry withPurpose(ExchangeEntry e, String purpose) {
        return new ExchangeEntry(e.exchangeId(), e.timeMillis(), e.mode(), e.resourceCode(), e.provider(),
                e.consumer(), e.grantId(), purpose, e.keyHash(), e.operation(), e.valueDigest(), e.sourceTopic(),
                e.sourcePartition(), e.sourceOffset(), e.deliveryTopic(), e.deliveryPartition(), e.deliveryOffset(),
                e.prevHash(), e.hash());
    }

    @Test
    void aHundredThousandEntriesChainAndVerify() {
        HashChain chain = HashChain.genesis();
        ChainVerifier v = ChainVerifier.fromGenesis();
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            assertThat(v.accept(i, chain.append(Entries.delivery(i)))).isTrue();
        }
        assertThat(v.firstBreak()).isEmpty();
        assertThat(v.entryCount()).isEqualTo(n);
        assertThat(v.head()).isEqualTo(chain.head());
        Checkpoint cp = new Checkpoint(0, n - 1, n, chain.head(), 1L);
        assertThat(v.checkpoint(cp, KEYS.sign(cp), KEYS.publicKey())).isEmpty();
        assertThat(v.breakCount()).isZero();
    }

    @Test
    void anAlteredFieldIsReportedAtItsPosition() {
        List<ExchangeEntry> log = Entries.chained(HashChain.genesis(), 10);
        log.set(6, withPurpose(log.get(6), "另作他用"));

        ChainVerifier v = verifyAll(log);

        assertThat(v.firstBreak()).hasValueSatisfying(b -> {
            assertThat(b.kind()).isEqualTo(ChainBreak.Kind.ALTERED);
            assertThat(b.position()).isEqualTo(6);
            assertThat(b.message()).contains(log.get(6).exchangeId());
        });
        assertThat(v.breakCount()).as("later entries still link to the stored hash").isEqualTo(1);
    }

    @Test
    void aRemovedEntryIsReportedWhereTheLinkBreaks() {
        List<ExchangeEntry> log = Entries.chained(HashChain.genesis(), 10);
        log.remove(4);

        ChainVerifier v = verifyAll(log);

        assertThat(v.firstBreak()).hasValueSatisfying(b -> {
            assertThat(b.kind()).isEqualTo(ChainBreak.Kind.MISSING_OR_REORDERED);
            assertThat(b.position()).isEqualTo(4);
        });
    }

    @Test
    void removingTheFirstEntryIsDetected() {
        List<ExchangeEntry> log = Entries.chained(HashChain.genesis(), 3);
        ChainVerifier v = verifyAll(log.subList(1, 3));
        assertThat(v.firstBreak()).map(ChainBreak::position).contains(0L);
    }

    @Test
    void reorderedEntriesAreDetected() {
        List<ExchangeEntry> log = Entries.chained(HashChain.genesis(), 10);
        Collections.swap(log, 3, 4);

        ChainVerifier v = verifyAll(log);

        assertThat(v.firstBreak()).hasValueSatisfying(b -> {
            assertThat(b.kind()).isEqualTo(ChainBreak.Kind.MISSING_OR_REORDERED);
            assertThat(b.position()).isEqualTo(3);
        });
    }

    @Test
    void anEntryWithoutChainFieldsIsAltered() {
        List<ExchangeEntry> log = Entries.chained(HashChain.genesis(), 3);
        log.set(1, log.get(1).withChain(null, null));
        assertThat(verifyAll(log).firstBreak()).map(ChainBreak::kind).contains(ChainBreak.Kind.ALTERED);
    }

    @Test
    void aRewrittenChainPassesTheLinksButNotTheSignedCheckpoint() {
        HashChain chain = HashChain.genesis();
        List<ExchangeEntry> original = Entries.chained(chain, 20);
        Checkpoint cp = new Checkpoint(0, 19, 20, chain.head(), 1_700_000_000_000L);
        byte[] signature = KEYS.sign(cp);

        // the forger alters entry 5 and re-hashes everything after it, so every link is consistent
        List<ExchangeEntry> forged = new ArrayList<>(original.subList(0, 5));
        HashChain forger = HashChain.resume(original.get(4).hash(), 5);
        forged.add(forger.append(withPurpose(original.get(5), "另作他用").withChain(null, null)));
        for (int i = 6; i < 20; i++) {
            forged.add(forger.append(original.get(i).withChain(null, null)));
        }

        ChainVerifier v = verifyAll(forged);
        assertThat(v.firstBreak()).as("links alone cannot see it").isEmpty();

        assertThat(v.checkpoint(cp, signature, KEYS.publicKey())).hasValueSatisfying(b -> {
            assertThat(b.kind()).isEqualTo(ChainBreak.Kind.CHECKPOINT_MISMATCH);
            assertThat(b.position()).isEqualTo(19);
        });

        // nor can the forger sign a matching checkpoint without the bus's key
        SigningKeys forgersKeys = SigningKeys.generate();
        Checkpoint forgedCp = new Checkpoint(0, 19, 20, forger.head(), cp.timeMillis());
        ChainVerifier again = verifyAll(forged);
        assertThat(again.checkpoint(forgedCp, forgersKeys.sign(forgedCp), KEYS.publicKey()))
                .map(ChainBreak::kind).contains(ChainBreak.Kind.BAD_SIGNATURE);
        assertThat(again.checkpoint(forgedCp)).as("only the signature gives it away").isEmpty();
    }

    @Test
    void aForgedEntryAppendedAfterTheLastCheckpointIsCaughtByTheNextOne() {
        HashChain bus = HashChain.genesis();
        List<ExchangeEntry> log = Entries.chained(bus, 5);
        // a forged entry with a correct prevHash is appended to the topic, beside the bus's own next entry
        ExchangeEntry forged = HashChain.resume(bus.head(), 5).append(Entries.delivery(999));
        ExchangeEntry genuine = bus.append(Entries.delivery(5));
        Checkpoint next = new Checkpoint(0, 5, 6, bus.head(), 2L);

        List<ExchangeEntry> topic = new ArrayList<>(log);
        topic.add(forged);
        ChainVerifier v = verifyAll(topic);
        assertThat(v.firstBreak()).isEmpty();
        assertThat(v.checkpoint(next, KEYS.sign(next), KEYS.publicKey()))
                .map(ChainBreak::kind).contains(ChainBreak.Kind.CHECKPOINT_MISMATCH);
        // and the genuine entry after it no longer links
        v.accept(6, genuine);
        assertThat(v.breakCount()).isEqualTo(2);
    }

    @Test
    void entriesRemovedFromTheEndAreCaughtByTheCheckpoint() {
        HashChain chain = HashChain.genesis();
        List<ExchangeEntry> log = Entries.chained(chain, 8);
        Checkpoint cp = new Checkpoint(0, 7, 8, chain.head(), 1L);

        ChainVerifier v = verifyAll(log.subList(0, 6));

        assertThat(v.firstBreak()).isEmpty();
        assertThat(v.checkpoint(cp)).map(ChainBreak::kind).contains(ChainBreak.Kind.CHECKPOINT_MISMATCH);
    }

    @Test
    void aCheckpointWithAWrongCountIsReported() {
        HashChain chain = HashChain.genesis();
        ChainVerifier v = verifyAll(Entries.chained(chain, 4));
        assertThat(v.checkpoint(new Checkpoint(0, 3, 5, chain.head(), 1L)))
                .hasValueSatisfying(b -> assertThat(b.message()).contains("counts 5"));
    }

    @Test
    void verificationResumesAtAVerifiedCheckpoint() {
        HashChain chain = HashChain.genesis();
        List<ExchangeEntry> log = Entries.chained(chain, 10);
        Checkpoint atFour = new Checkpoint(0, 4, 5, log.get(4).hash(), 1L);
        Checkpoint atNine = new Checkpoint(0, 9, 10, chain.head(), 2L);

        ChainVerifier v = ChainVerifier.resumeAt(atFour);
        for (int i = 5; i < 10; i++) {
            assertThat(v.accept(i, log.get(i))).isTrue();
        }
        assertThat(v.checkpoint(atNine)).isEmpty();
        assertThat(v.entryCount()).isEqualTo(10);

        ChainVerifier wrongStart = ChainVerifier.resumeAt(atFour);
        wrongStart.accept(6, log.get(6));
        assertThat(wrongStart.firstBreak()).map(ChainBreak::kind).contains(ChainBreak.Kind.MISSING_OR_REORDERED);
    }

    @Test
    void theCheckpointResumedAtIsCheckedFirstByItsSignature() {
        HashChain chain = HashChain.genesis();
        List<ExchangeEntry> log = Entries.chained(chain, 10);
        Checkpoint atFour = new Checkpoint(0, 4, 5, log.get(4).hash(), 1L);

        ChainVerifier v = ChainVerifier.resumeAt(atFour);
        assertThat(v.checkpoint(atFour, KEYS.sign(atFour), KEYS.publicKey())).isEmpty();

        ChainVerifier forged = ChainVerifier.resumeAt(atFour);
        assertThat(forged.checkpoint(atFour, SigningKeys.generate().sign(atFour), KEYS.publicKey()))
                .hasValueSatisfying(b -> {
                    assertThat(b.kind()).isEqualTo(ChainBreak.Kind.BAD_SIGNATURE);
                    assertThat(b.position()).isEqualTo(4);
                    assertThat(b.message()).contains("position 4").doesNotContain("offset");
                });
    }

    @Test
    void mismatchesNameChainPositions() {
        HashChain chain = HashChain.genesis();
        ChainVerifier v = verifyAll(Entries.chained(chain, 4));
        assertThat(v.checkpoint(new Checkpoint(0, 6, 7, chain.head(), 1L)))
                .hasValueSatisfying(b -> assertThat(b.message())
                        .contains("covers position 6 but the last entry read is at position 3")
                        .doesNotContain("offset"));
        assertThat(v.checkpoint(new Checkpoint(0, 3, 4, HashChain.GENESIS, 1L)))
                .hasValueSatisfying(b -> assertThat(b.message()).startsWith("checkpoint at position 3 signs head"));
    }
}
