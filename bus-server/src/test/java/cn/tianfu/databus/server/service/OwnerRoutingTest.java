package cn.tianfu.databus.server.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;

import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;

class OwnerRoutingTest {

    private static final HostInfo SELF = new HostInfo("bus-1", 8080);
    private static final HostInfo OTHER = new HostInfo("bus-2", 8080);

    @Test
    void the_owner_answers_itself() {
        assertThat(OwnerRouting.decide(new KeyQueryMetadata(SELF, Set.of(OTHER), 1), SELF, false))
                .isInstanceOf(OwnerRouting.Local.class);
    }

    @Test
    void another_owner_gets_the_request_forwarded_once() {
        assertThat(OwnerRouting.decide(new KeyQueryMetadata(OTHER, Set.of(), 0), SELF, false))
                .isEqualTo(new OwnerRouting.Forward(OTHER));
        assertThat(OwnerRouting.decide(new KeyQueryMetadata(OTHER, Set.of(), 0), SELF, true))
                .isInstanceOf(OwnerRouting.Unavailable.class);
    }

    @Test
    void while_rebalancing_nobody_answers() {
        assertThat(OwnerRouting.decide(KeyQueryMetadata.NOT_AVAILABLE, SELF, false))
                .isInstanceOf(OwnerRouting.Unavailable.class);
    }

    @Test
    void a_single_node_without_an_announced_address_or_an_unknown_store_answers_here() {
        assertThat(OwnerRouting.decide(new KeyQueryMetadata(HostInfo.unavailable(), Set.of(), 1), HostInfo.unavailable(), false))
                .isInstanceOf(OwnerRouting.Local.class);
        assertThat(OwnerRouting.decide(null, SELF, false)).isInstanceOf(OwnerRouting.Local.class);
    }
}
