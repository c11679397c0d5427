package cn.tianfu.databus.ledger.app;

import cn.tianfu.databus.ledger.Digests;
import cn.tianfu.databus.ledger.ExchangeEntry;
import cn.tianfu.databus.ledger.ExchangeIds;
import java.nio.charset.StandardCharsets;

/** Unchained entries as the sharing router stages them, for tests. */
final class StagedEntries {

    private StagedEntries() {
    }

    static ExchangeEntry entry(String sourceTopic, long sourceOffset) {
        String grant = "g-" + (sourceOffset % 3);
        String id = ExchangeIds.forDelivery(sourceTopic, 0, sourceOffset, grant, ExchangeEntry.Operation.UPSERT);
        return new ExchangeEntry(id, 1_700_000_000_000L + sourceOffset, ExchangeEntry.Mode.PUSH, "10101-000001",
                "psb", "hrss", grant, "social insurance eligibility 社保资格核验",
                Digests.sha256Hex(("key-" + sourceOffset).getBytes(StandardCharsets.UTF_8)),
                ExchangeEntry.Operation.UPSERT, Digests.sha256Hex(("value-" + sourceOffset).getBytes(StandardCharsets.UTF_8)),
                sourceTopic, 0, sourceOffset, "dlv.hrss.10101-000001", 0, sourceOffset, null, null);
    }
}
