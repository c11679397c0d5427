package cn.tianfu.databus.ledger;

import java.util.ArrayList;
import java.util.List;

/** Sample exchange-log entries. */
final class Entries {

    private Entries() {
    }

    static ExchangeEntry delivery(long sourceOffset) {
        String grant = "grant-" + (sourceOffset % 3);
        ExchangeEntry.Operation op = sourceOffset % 7 == 0 ? ExchangeEntry.Operation.RETRACT
                : ExchangeEntry.Operation.UPSERT;
        return new ExchangeEntry(
                ExchangeIds.forDelivery("src.public-security.population", 0, sourceOffset, grant, op),
                1_735_689_600_000L + sourceOffset, ExchangeEntry.Mode.PUSH, "population", "public-security",
                "civil-affairs", grant, "低保资格核查", Digests.sha256Hex(("key-" + sourceOffset).getBytes()), op,
                op == ExchangeEntry.Operation.UPSERT ? Digests.sha256Hex(("value-" + sourceOffset).getBytes()) : null,
                "src.public-security.population", 0, sourceOffset,
                "dlv.civil-affairs.population", 0, sourceOffset / 2, null, null);
    }

    static List<ExchangeEntry> chained(HashChain chain, int count) {
        List<ExchangeEntry> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(chain.append(delivery(i)));
        }
        return out;
    }
}
