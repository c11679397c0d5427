package cn.tianfu.databus.sharing.app.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import cn.tianfu.databus.sharing.app.internal.ReplayGuard.Verdict;

class ReplayGuardTest {

    private static final String KEY = StateKeys.latest("src.psb.10101-000001", "510104199001011234");
    private static final String PG_100 = "pg:0000000000000100:0000000000000100";
    private static final String PG_200 = "pg:0000000000000200:0000000000000200";
    private static final String PG_300 = "pg:0000000000000300:0000000000000300";
    private static final String BINLOG = "binlog:0000000001:000000000004:000000";

    private final AtomicInteger dropped = new AtomicInteger();
    private KeyValueStore<String, byte[]> latest;
    private ReplayGuard guard;

    @BeforeEach
    void setUp() {
        MockProcessorContext<Out, byte[]> context = new MockProcessorContext<>();
        latest = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("router-latest"), Serdes.String(),
                Serdes.ByteArray()).withLoggingDisabled().build();
        latest.init(context.getStateStoreContext(), latest);
        guard = new ReplayGuard(latest, dropped::incrementAndGet);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private StoredRecord stored() {
        return StoredRecord.decode(latest.get(KEY));
    }

    @Test
    void judgesAgainstTheStoredState() {
        StoredRecord atPg200 = new StoredRecord(0, 5, 1, bytes("v1"), PG_200);
        assertThat(ReplayGuard.judge(null, PG_100, bytes("v1"))).isEqualTo(Verdict.NEW);
        assertThat(ReplayGuard.judge(atPg200, null, bytes("v1"))).as("no position: never dropped").isEqualTo(Verdict.NEW);
        assertThat(ReplayGuard.judge(atPg200, PG_100, bytes("v0"))).isEqualTo(Verdict.REPLAY);
        assertThat(ReplayGuard.judge(atPg200, PG_200, bytes("v1"))).as("the same position").isEqualTo(Verdict.REPLAY);
        assertThat(ReplayGuard.judge(atPg200, PG_100, null)).as("an older delete").isEqualTo(Verdict.REPLAY);
        assertThat(ReplayGuard.judge(atPg200, PG_300, bytes("v2"))).isEqualTo(Verdict.NEW);
        assertThat(ReplayGuard.judge(atPg200, PG_300, bytes("v1"))).as("a snapshot read twice")
                .isEqualTo(Verdict.UNCHANGED);
        assertThat(ReplayGuard.judge(atPg200, PG_300, null)).as("a later delete").isEqualTo(Verdict.NEW);
        assertThat(ReplayGuard.judge(atPg200, BINLOG, bytes("v1"))).as("positions of another kind do not compare")
                .isEqualTo(Verdict.NEW);
        StoredRecord published = new StoredRecord(0, 5, 1, bytes("v1"));
        assertThat(ReplayGuard.judge(published, PG_300, bytes("v1"))).as("a stored state without a position")
                .isEqualTo(Verdict.NEW);
        StoredRecord deleted = StoredRecord.deletedAt(0, 6, PG_200);
        assertThat(ReplayGuard.judge(deleted, PG_100, bytes("v0"))).as("an older change of a deleted key")
                .isEqualTo(Verdict.REPLAY);
        assertThat(ReplayGuard.judge(deleted, PG_300, bytes(""))).as("a deleted key is never unchanged")
                .isEqualTo(Verdict.NEW);
    }

    @Test
    void dropsAndCountsReplaysWithoutTouchingTheState() {
        guard.remember(KEY, 0, 5, 1, bytes("v2"), PG_200);

        assertThat(guard.alreadyApplied(KEY, PG_100, bytes("v1"), 0, 7, 1)).isTrue();
        assertThat(guard.alreadyApplied(KEY, PG_200, bytes("v2"), 0, 8, 1)).isTrue();
        assertThat(dropped).hasValue(2);
        assertThat(stored().offset()).isEqualTo(5);
        assertThat(stored().sourcePosition()).isEqualTo(PG_200);
    }

    @Test
    void anUnchangedReReadIsDroppedButMovesTheStoredPosition() {
        guard.remember(KEY, 0, 5, 1, bytes("v2"), PG_200);

        assertThat(guard.alreadyApplied(KEY, PG_300, bytes("v2"), 0, 9, 1)).isTrue();
        assertThat(dropped).hasValue(1);
        assertThat(stored()).satisfies(s -> {
            assertThat(s.offset()).isEqualTo(9);
            assertThat(s.sourcePosition()).isEqualTo(PG_300);
            assertThat(s.value()).isEqualTo(bytes("v2"));
        });
    }

    @Test
    void letsThroughNewChangesUnknownKeysAndEventsWithoutAPosition() {
        assertThat(guard.alreadyApplied(KEY, PG_100, bytes("v1"), 0, 1, 1)).as("no stored state").isFalse();
        guard.remember(KEY, 0, 1, 1, bytes("v1"), PG_100);
        assertThat(guard.alreadyApplied(KEY, PG_200, bytes("v2"), 0, 2, 1)).isFalse();
        assertThat(guard.alreadyApplied(KEY, null, bytes("v1"), 0, 3, 1)).isFalse();
        assertThat(dropped).hasValue(0);
        assertThat(stored().offset()).as("only remember() stores a routed change").isEqualTo(1);
    }

    @Test
    void remembersValuesDeleteMarkersAndDeletes() {
        guard.remember(KEY, 0, 1, 7, bytes("v1"), null);
        assertThat(stored()).satisfies(s -> {
            assertThat(s.schemaId()).isEqualTo(7);
            assertThat(s.sourcePosition()).isNull();
        });

        guard.remember(KEY, 0, 2, -1, null, PG_200);
        assertThat(stored().isDeleted()).as("a captured delete leaves a marker").isTrue();
        assertThat(stored().sourcePosition()).isEqualTo(PG_200);
        assertThat(guard.alreadyApplied(KEY, PG_100, bytes("v0"), 0, 3, 1)).as("older than the delete").isTrue();

        guard.remember(KEY, 0, 4, -1, null, null);
        assertThat(latest.get(KEY)).as("a published delete removes the key").isNull();
    }

    @Test
    void positionRecordsJudgeUnchangedReReadsByTheValuesDigest() {
        guard.remember(KEY, 0, 5, 1, bytes("v2"), PG_200, null, ReplayGuard.Keep.POSITION);
        assertThat(stored().value()).as("no copy of the value").isNull();
        assertThat(stored().digest()).isEqualTo(StoredRecord.digestOf(bytes("v2")));

        assertThat(guard.alreadyApplied(KEY, PG_300, bytes("v3"), 0, 8, 1, ReplayGuard.Keep.POSITION)).isFalse();
        assertThat(guard.alreadyApplied(KEY, PG_300, bytes("v2"), 0, 9, 1, ReplayGuard.Keep.POSITION)).isTrue();
        assertThat(stored()).satisfies(s -> {
            assertThat(s.offset()).isEqualTo(9);
            assertThat(s.sourcePosition()).isEqualTo(PG_300);
            assertThat(s.value()).isNull();
        });
        assertThat(guard.alreadyApplied(KEY, PG_200, bytes("v1"), 0, 10, 1, ReplayGuard.Keep.POSITION)).isTrue();
        assertThat(dropped).hasValue(2);
    }

    @Test
    void withoutAGrantOnlyCapturedChangesLeaveAState() {
        guard.remember(KEY, 0, 1, 1, bytes("v1"), null, null, ReplayGuard.Keep.NOTHING);
        assertThat(latest.get(KEY)).isNull();
        guard.remember(KEY, 0, 2, 1, bytes("v2"), PG_100, null, ReplayGuard.Keep.NOTHING);
        assertThat(stored()).extracting(StoredRecord::offset, StoredRecord::sourcePosition, StoredRecord::value)
                .containsExactly(2L, PG_100, null);
        guard.remember(KEY, 0, 3, 1, bytes("v3"), null, null, ReplayGuard.Keep.NOTHING);
        assertThat(latest.get(KEY)).as("the state of the position-less record is not kept, and no older one").isNull();
    }

    @Test
    void aBackfillFillsMissingOrOlderStatesAndMissingValuesButNeverGoesBack() {
        guard.fill(KEY, 0, 3, 1, bytes("v3"), null, null, ReplayGuard.Keep.NOTHING);
        assertThat(latest.get(KEY)).as("nothing kept without a grant").isNull();
        guard.fill(KEY, 0, 3, 1, bytes("v3"), null, "D-1", ReplayGuard.Keep.POSITION);
        assertThat(stored()).extracting(StoredRecord::offset, StoredRecord::value, StoredRecord::upstreamExchangeId)
                .containsExactly(3L, null, "D-1");
        guard.fill(KEY, 0, 2, 1, bytes("v2"), null, null, ReplayGuard.Keep.VALUE);
        assertThat(stored().offset()).as("an older record never replaces a later one").isEqualTo(3);
        guard.fill(KEY, 0, 3, 1, bytes("v3"), null, "D-1", ReplayGuard.Keep.VALUE);
        assertThat(stored()).extracting(StoredRecord::offset, StoredRecord::value, StoredRecord::upstreamExchangeId)
                .as("the same record, its value now kept").containsExactly(3L, bytes("v3"), "D-1");

        guard.remember(KEY, 0, 5, 1, bytes("v5"), PG_200, null, ReplayGuard.Keep.POSITION);
        guard.fill(KEY, 0, 6, 1, bytes("v4"), PG_100, null, ReplayGuard.Keep.POSITION);
        assertThat(stored().sourcePosition()).as("a replayed older change is left alone").isEqualTo(PG_200);
        guard.fill(KEY, 0, 7, -1, null, PG_300, null, ReplayGuard.Keep.POSITION);
        assertThat(stored().isDeleted()).as("a later captured delete").isTrue();
        assertThat(dropped).hasValue(0);
    }

    @Test
    void aCoveredLiveRecordLeavesTheStateABackfillFilledFromIt() {
        guard.fill(KEY, 0, 3, 1, bytes("v3"), null, "D-1", ReplayGuard.Keep.VALUE);
        byte[] filled = latest.get(KEY);
        guard.rememberCovered(KEY, 0, 3, 1, bytes("v3"), null, "D-1", ReplayGuard.Keep.VALUE);
        assertThat(latest.get(KEY)).as("the very state, not written again").isSameAs(filled);

        guard.rememberCovered(KEY, 0, 3, 1, bytes("v3"), null, "D-1", ReplayGuard.Keep.POSITION);
        assertThat(stored()).extracting(StoredRecord::offset, StoredRecord::valueKept, StoredRecord::upstreamExchangeId)
                .as("kept as the grants now ask: a position record").containsExactly(3L, false, "D-1");
        guard.rememberCovered(KEY, 0, 4, 1, bytes("v4"), null, null, ReplayGuard.Keep.POSITION);
        assertThat(stored().offset()).as("a record the backfill has not reached yet").isEqualTo(4);

        guard.fill(KEY, 0, 5, -1, null, PG_100, null, ReplayGuard.Keep.POSITION);
        byte[] deleted = latest.get(KEY);
        guard.rememberCovered(KEY, 0, 5, -1, null, PG_100, null, ReplayGuard.Keep.POSITION);
        assertThat(latest.get(KEY)).as("the delete marker, not written again").isSameAs(deleted);
        guard.rememberCovered(KEY, 0, 6, -1, null, null, null, ReplayGuard.Keep.POSITION);
        assertThat(latest.get(KEY)).as("a delete without a position removes the state").isNull();
        assertThat(dropped).hasValue(0);
    }
}
