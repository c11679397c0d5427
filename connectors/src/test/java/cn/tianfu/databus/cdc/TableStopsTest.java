package cn.tianfu.databus.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.Test;

import cn.tianfu.databus.cdc.internal.TableStops;

class TableStopsTest {

    private static final String TOPIC = "src.psb._cdc.hukou-db.offsets";

    @Test
    void aStopIsAConnectOffsetOfItsOwnPartitionUnderTheRunnersName() {
        TableStops.Stop stop = new TableStops.Stop("public.resident", "pg:0000000001906f90:0000000001907300",
                "column blood_type of public.resident is neither mapped nor excluded", Instant.parse("2026-03-01T01:30:00Z"));
        ProducerRecord<String, byte[]> r = TableStops.stopped(TOPIC, "hukou-db", stop);

        assertThat(r.topic()).isEqualTo(TOPIC);
        assertThat(r.key()).isEqualTo("[\"hukou-db\",{\"databus.stopped-table\":\"public.resident\"}]");
        // read back the way Connect reads offset keys and values (schemaless JSON)
        JsonConverter json = new JsonConverter();
        json.configure(Map.of("schemas.enable", false), true);
        assertThat(json.toConnectData(TOPIC, r.key().getBytes(StandardCharsets.UTF_8)).value())
                .isEqualTo(List.of("hukou-db", Map.of(TableStops.PARTITION_KEY, "public.resident")));
        assertThat(json.toConnectData(TOPIC, r.value()).value()).isEqualTo(Map.of("position", stop.position(),
                "reason", stop.reason(), "since", stop.since().toEpochMilli()));
    }

    @Test
    void aRecoveryRemovesTheStopWithATombstoneOfTheSameKey() {
        TableStops.Stop stop = new TableStops.Stop("registry.legal_entity", "binlog:0000000001:000000002978:000000", "r", Instant.now());
        ProducerRecord<String, byte[]> recovered = TableStops.recovered(TOPIC, "le-db", "registry.legal_entity");
        assertThat(recovered.key()).isEqualTo(TableStops.stopped(TOPIC, "le-db", stop).key());
        assertThat(recovered.value()).isNull();
    }
}
