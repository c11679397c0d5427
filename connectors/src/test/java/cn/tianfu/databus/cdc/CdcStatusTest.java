package cn.tianfu.databus.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class CdcStatusTest {

    @Test
    void theLineShowsEachTableStreamingOrStoppedWithWhereAndWhy() {
        CdcStatus status = new CdcStatus("hukou-db", CdcStatus.State.STREAMING, 12, 10, Map.of("10101-000001", 12L),
                Duration.ofMillis(104), Optional.of("pg:0000000001a2b3c4:0000000001a2b3f0"), Optional.empty(), Optional.empty(),
                List.of(new CdcStatus.TableStatus("public.resident", "10101-000001", CdcStatus.TableState.STREAMING,
                                Optional.empty(), Optional.empty(), 0),
                        new CdcStatus.TableStatus("public.household", "10101-000002", CdcStatus.TableState.STOPPED,
                                Optional.of("pg:0000000001a2b000:0000000001a2b100"),
                                Optional.of("column blood_type of public.household is neither mapped nor excluded"), 3)));

        assertThat(status.line()).isEqualTo("hukou-db STREAMING: 12 row(s) captured (10 from the snapshot), lag 104 ms,"
                + " last position pg:0000000001a2b3c4:0000000001a2b3f0; public.resident streaming; public.household STOPPED"
                + " at pg:0000000001a2b000:0000000001a2b100 (3 change(s) dead-lettered): column blood_type of"
                + " public.household is neither mapped nor excluded");
        assertThat(status.table("public.household")).get().extracting(CdcStatus.TableStatus::state)
                .isEqualTo(CdcStatus.TableState.STOPPED);
        assertThat(status.table("public.nothing")).isEmpty();
    }
}
