package cn.tianfu.databus.cdc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import cn.tianfu.databus.cdc.CdcMapping.TableMapping;
import cn.tianfu.databus.cdc.CdcStatus;

class TableRunTest {

    private static final TableMapping TABLE = MappingParser.parseTablesOnly("""
            department: amr
            runner: le
            tables:
              - table: registry.legal_entity
                resource: 10201-000001
                key: [credit_code]
            """, "le.yaml").tables().get(0);
    private static final TableStops.Stop STOP = new TableStops.Stop(TABLE.table(), "binlog:0000000003:000000002249:000000",
            "column note is neither mapped nor excluded", Instant.EPOCH);

    private final TableRun run = new TableRun(TABLE);

    @Test
    void aTableStreamsUntilAChangeStopsIt() {
        assertThat(run.stopped()).isNull();
        assertThat(run.status().state()).isEqualTo(CdcStatus.TableState.STREAMING);

        run.stop(STOP);
        run.deadLettered();

        assertThat(run.stopped()).isEqualTo(STOP);
        assertThat(run.recovering()).isFalse();
        CdcStatus.TableStatus status = run.status();
        assertThat(status.state()).isEqualTo(CdcStatus.TableState.STOPPED);
        assertThat(status.stoppedAt()).contains(STOP.position());
        assertThat(status.deadLetters()).isEqualTo(1);
    }

    @Test
    void aRecoveringTableIsRecoveredOnceEveryRowItsReSnapshotReadIsPublished() {
        run.restore(STOP, CdcStatus.TableState.RECOVERING);
        assertThat(run.stopped()).as("a recovering table streams").isNull();
        assertThat(run.recoveringFrom()).isEqualTo(STOP);

        run.reread(2);
        assertThat(run.recovered()).as("the re-snapshot has not ended").isFalse();
        run.expect(3);
        assertThat(run.recovered()).isFalse();
        run.reread(1);
        assertThat(run.recovered()).isTrue();

        run.streaming();
        assertThat(run.recovered()).isFalse();
        assertThat(run.recoveringFrom()).isNull();
        assertThat(run.status().stoppedAt()).isEmpty();
        assertThat(run.status().state()).isEqualTo(CdcStatus.TableState.STREAMING);
    }

    @Test
    void progressCountsWhatAStoredBatchPublished() {
        Progress progress = new Progress();
        Batch batch = new Batch(3);
        batch.of(run).countCaptured();
        batch.published(run, "binlog:0000000003:000000002249:000000", Instant.EPOCH.toEpochMilli(), true);
        batch.of(run).countCaptured();
        batch.published(run, "binlog:0000000003:000000002250:000000", Instant.EPOCH.plusSeconds(1).toEpochMilli(), false);
        batch.of(run).countCaptured();
        batch.of(run).deadLettered(cn.tianfu.databus.deadletter.DeadLetterReason.PROCESSING_ERROR);
        progress.stored(batch, Instant.EPOCH.plusSeconds(3).toEpochMilli());

        CdcStatus status = progress.status("le", CdcStatus.State.STREAMING, Optional.empty(), List.of(run.status()));
        assertThat(status.rowsCaptured()).isEqualTo(2);
        assertThat(status.snapshotRows()).isEqualTo(1);
        assertThat(status.perResource()).isEqualTo(Map.of("10201-000001", 2L));
        assertThat(status.lastPosition()).contains("binlog:0000000003:000000002250:000000");
        assertThat(status.lastChange()).contains(Instant.EPOCH.plusSeconds(1));
        assertThat(status.lag()).as("from the last change's commit to the batch stored").isEqualTo(java.time.Duration.ofSeconds(2));
        assertThat(status.tables()).hasSize(1);
    }
}
