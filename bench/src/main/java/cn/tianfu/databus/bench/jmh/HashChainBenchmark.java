package cn.tianfu.databus.bench.jmh;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import cn.tianfu.databus.ledger.Digests;
import cn.tianfu.databus.ledger.ExchangeEntry;
import cn.tianfu.databus.ledger.ExchangeIds;
import cn.tianfu.databus.ledger.HashChain;

/** The ledger's per-entry chaining: canonical encoding and SHA-256 of one push-delivery entry. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HashChainBenchmark {

    private HashChain chain;
    private ExchangeEntry entry;

    @Setup
    public void setUp() {
        chain = HashChain.genesis();
        String source = "src.psb.10101-000001";
        entry = new ExchangeEntry(ExchangeIds.forDelivery(source, 0, 12345L, "g-mca-1", ExchangeEntry.Operation.UPSERT),
                1_767_225_600_000L, ExchangeEntry.Mode.PUSH, "10101-000001", "psb", "mca", "g-mca-1",
                "最低生活保障资格核查", Digests.sha256Hex(new byte[] {1, 2, 3}), ExchangeEntry.Operation.UPSERT,
                Digests.sha256Hex(new byte[] {4, 5, 6}), source, 0, 12345L, "dlv.mca.10101-000001", 1, null, null, null);
    }

    @Benchmark
    public ExchangeEntry append() {
        return chain.append(entry);
    }
}
