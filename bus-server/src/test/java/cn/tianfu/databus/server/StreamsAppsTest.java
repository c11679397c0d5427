package cn.tianfu.databus.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.InstantSource;
import java.util.Arrays;
import java.util.Map;

import org.junit.jupiter.api.Test;

import cn.tianfu.databus.config.DatabusConfigException;

class StreamsAppsTest {

    @Test
    void theAppsAreStartedGovernanceRouterDeadlinesAndFoundByTheirCommandName() {
        // the exchange log is chained inside the router: there is no ledger app to run
        assertThat(Arrays.stream(StreamsApps.values()).map(StreamsApps::command)).containsExactly("governance", "router", "deadlines", "quality");
        assertThat(StreamsApps.named("ledger")).isEmpty();
        assertThat(StreamsApps.named("router")).contains(StreamsApps.ROUTER);
        assertThat(StreamsApps.ROUTER.component()).isEqualTo("sharing-router");
        assertThat(StreamsApps.named("sharing")).isEmpty();
        assertThat(StreamsApps.named("deadlines")).contains(StreamsApps.DEADLINES);
    }

    @Test
    void everyAppIsCreatedFromItsConfigKeysAndReportsEveryProblem() {
        for (StreamsApps app : StreamsApps.values()) {
            assertThatThrownBy(() -> app.create(Map.of(), InstantSource.system()))
                    .isInstanceOf(DatabusConfigException.class)
                    .hasMessageContaining("bootstrap.servers").hasMessageContaining("state.dir");
        }
    }
}
