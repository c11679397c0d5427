package cn.tianfu.databus.ledger.app;

import cn.tianfu.databus.ledger.KeyHasher;
import cn.tianfu.databus.sharing.app.RouterContext;
import cn.tianfu.databus.sharing.app.SharingRouterApp;
import java.time.Duration;
import org.apache.kafka.streams.Topology;

/** The production shape of the ledger: its chain nodes in the sharing router's topology, no source topic yet. */
final class RouterTopology {

    private RouterTopology() {
    }

    static Topology of(LedgerContext ledger) {
        RouterContext router = new RouterContext(ledger.registry(), KeyHasher.withSecret(new byte[32]), topic -> 1,
                Duration.ofSeconds(5));
        return SharingRouterApp.buildTopology(router, ledger);
    }
}
