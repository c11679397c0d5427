package cn.tianfu.databus.audit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import cn.tianfu.databus.audit.SignedCheckpoint;
import cn.tianfu.databus.audit.VerificationReport;
import cn.tianfu.databus.audit.VerifyOptions;
import cn.tianfu.databus.ledger.ChainBreak;
import cn.tianfu.databus.ledger.Checkpoint;
import cn.tianfu.databus.ledger.ExchangeEntry;
import cn.tianfu.databus.ledger.ExchangeIds;
import cn.tianfu.databus.ledger.HashChain;
import cn.tianfu.databus.ledger.SigningKeys;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Heartbeats, uncovered tails, staleness and kept checkpoints, as one partition's check sees them. */
class PartitionCheckTest {

    private static final Duration T = Duration.ofMinutes(1);
    private static final long START = 1_800_000_000_000L;

    @TempDir
    Path dataDir;

    private SigningKeys keys;
    private final List<ExchangeEntry> chain = new ArrayList<>();

    @BeforeEach
    void tenEntries() {
        keys = SigningKeys.loadOrCreate(dataDir);
        HashChain c = HashChain.genesis();
        for (int i = 0; i < 10; i++) {
            String id = ExchangeIds.forDelivery("src.psb.a", 0, i, "g", ExchangeEntry.Operation.UPSERT);
            chain.add(c.append(new ExchangeEntry(id, START + i, ExchangeEntry.Mode.PUSH, "r", "psb", "hrss", "g",
                    "purpose", "k" + i, ExchangeEntry.Operation.UPSERT, "v" + i, "src.psb.a", 0, (long) i, null, null,
                    null, null, null)));
        }
    }

    private SignedCheckpoint signed(long position, long time) {
        String head = position < 0 ? HashChain.GENESIS : chain.get((int) position).hash();
        Checkpoint cp = new Checkpoint(0, position, position + 1, head, time);
        return new SignedCheckpoint(cp, keys.sign(cp));
    }

    private VerificationReport.Partition check(int entries, List<SignedCheckpoint> checkpoints, VerifyOptions options) {
        PartitionCheck check = new PartitionCheck(0, keys.publicKey(), checkpoints.iterator(), options);
        for (int i = 0; i < entries; i++) {
            check.entry(i, chain.get(i));
        }
        return check.finish();
    }

    @Test
    void heartbeatsBeforeTheFirstEntryAndRepeatedAtOnePositionVerify() {
        List<SignedCheckpoint> cps = List.of(signed(-1, START), signed(-1, START + 60_000), signed(4, START + 90_000),
                signed(9, START + 100_000), signed(9, START + 160_000), signed(9, START + 220_000));
        VerifyOptions strict = VerifyOptions.CHAINS_ONLY.allowUncovered(false)
                .heartbeat(T, Instant.ofEpochMilli(START + 220_000).plus(T));
        VerificationReport.Partition p = check(10, cps, strict);
        assertThat(p.intact()).as(String.valueOf(p.firstBreak())).isTrue();
        assertThat(p.checkpoints()).isEqualTo(6);
        assertThat(p.newestCheckpointMillis()).isEqualTo(START + 220_000);

        VerificationReport.Partition empty = check(0, List.of(signed(-1, START)),
                VerifyOptions.CHAINS_ONLY.heartbeat(T, Instant.ofEpochMilli(START).plus(T)));
        assertThat(empty.intact()).as("an idle partition with no entry, signed at genesis").isTrue();
    }

    @Test
    void anUncoveredTailFailsUnlessAllowedAndAnOldNewestCheckpointIsStale() {
        List<SignedCheckpoint> cps = List.of(signed(6, START + 1000));
        VerificationReport.Partition strict = check(10, cps, VerifyOptions.CHAINS_ONLY.allowUncovered(false));
        assertThat(strict.firstBreak().kind()).isEqualTo(ChainBreak.Kind.UNCOVERED);
        assertThat(strict.firstBreak().position()).isEqualTo(7);
        assertThat(strict.uncoveredEntries()).isEqualTo(3);

        VerificationReport.Partition live = check(10, cps, VerifyOptions.CHAINS_ONLY);
        assertThat(live.intact()).isTrue();
        assertThat(live.uncoveredEntries()).isEqualTo(3);

        Instant now = Instant.ofEpochMilli(START + 1000).plus(T.multipliedBy(2));
        assertThat(check(10, cps, VerifyOptions.CHAINS_ONLY.heartbeat(T, now)).intact()).isTrue();
        VerificationReport.Partition stale = check(10, cps, VerifyOptions.CHAINS_ONLY.heartbeat(T, now.plusMillis(1)));
        assertThat(stale.firstBreak().kind()).isEqualTo(ChainBreak.Kind.STALE);
        assertThat(check(10, List.of(), VerifyOptions.CHAINS_ONLY.heartbeat(T, now)).firstBreak().kind())
                .as("no checkpoint at all").isEqualTo(ChainBreak.Kind.STALE);
    }

    @Test
    void keptCheckpointsAreComparedAtTheirPositionAndOnePastTheEndIsACut() {
        List<SignedCheckpoint> onBus = List.of(signed(4, START + 10));
        VerificationReport.Partition ok = check(5, onBus,
                VerifyOptions.CHAINS_ONLY.against(List.of(signed(2, START + 5), signed(4, START + 10))));
        assertThat(ok.intact()).as(String.valueOf(ok.firstBreak())).isTrue();
        assertThat(ok.keptCheckpoints()).isEqualTo(2);
        assertThat(ok.checkpoints()).as("the bus's own").isEqualTo(1);

        // the bus was cut back to 5 entries; the auditor kept the checkpoint over 10
        VerificationReport.Partition cut = check(5, onBus,
                VerifyOptions.CHAINS_ONLY.against(List.of(signed(9, START + 20))));
        assertThat(cut.firstBreak().kind()).isEqualTo(ChainBreak.Kind.CHECKPOINT_MISMATCH);
        assertThat(cut.firstBreak().position()).isEqualTo(9);
        assertThat(cut.firstBreak().message()).contains("cut from the end");

        // a kept checkpoint of another partition is not this partition's business
        Checkpoint other = new Checkpoint(1, 9, 10, chain.get(9).hash(), START);
        assertThat(check(5, onBus, VerifyOptions.CHAINS_ONLY.against(List.of(
                new SignedCheckpoint(other, keys.sign(other))))).intact()).isTrue();
    }
}
