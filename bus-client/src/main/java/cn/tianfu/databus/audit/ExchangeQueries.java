package cn.tianfu.databus.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import cn.tianfu.databus.ledger.ExchangeEntry;

/**
 * The auditor's two questions of the exchange log (Art. 23), answered by one replay each: who received a record
 * ({@link #trace}), and what a consumer received, per resource, mode and purpose ({@link #report}). {@code databus
 * audit trace|report} and the HTTP API's {@code /api/v1/audit/trace|report} ask them.
 */
public final class ExchangeQueries {

    /** One exchange of the traced record, with where it stands in the chain. */
    public record Traced(int partition, long position, ExchangeEntry entry) {
    }

    /** One row of a consumer's report: a resource, how it was exchanged and for what purpose (null when none). */
    public record Row(String resource, String mode, String purpose, long count, long firstMillis, long lastMillis) {
    }

    private record Key(String resource, String mode, String purpose) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = resource.compareTo(o.resource);
            if (c == 0) {
                c = mode.compareTo(o.mode);
            }
            return c != 0 ? c : String.valueOf(purpose).compareTo(String.valueOf(o.purpose));
        }
    }

    private ExchangeQueries() {
    }

    /** Every exchange of the record of {@code resource} whose key hashes to {@code keyHash}, in chain order. */
    public static List<Traced> trace(AuditReader reader, String resource, String keyHash) {
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(keyHash, "keyHash");
        List<Traced> found = new ArrayList<>();
        reader.forEachEntry((partition, position, logOffset, e) -> {
            if (e.keyHash().equals(keyHash) && e.resourceCode().equals(resource)) {
                found.add(new Traced(partition, position, e));
            }
        });
        return found;
    }

    /**
     * The entries whose exchange id is one of {@code exchangeIds}, by exchange id (the first in chain order if an id
     * occurs twice); an id the log does not hold is absent. District tiers (docs/tiers.md): the district's halves of
     * the city's exchanges, by their {@code upstreamExchangeId}.
     */
    public static Map<String, Traced> byExchangeId(AuditReader reader, java.util.Collection<String> exchangeIds) {
        java.util.Set<String> wanted = java.util.Set.copyOf(exchangeIds);
        Map<String, Traced> found = new java.util.HashMap<>();
        reader.forEachEntry((partition, position, logOffset, e) -> {
            if (wanted.contains(e.exchangeId())) {
                found.putIfAbsent(e.exchangeId(), new Traced(partition, position, e));
            }
        });
        return found;
    }

    /**
     * The exchanges to {@code consumer} between two times (epoch milliseconds, both included), counted per resource,
     * mode and purpose with the first and last time; rows ordered by resource, mode, purpose.
     */
    public static List<Row> report(AuditReader reader, String consumer, long fromMillis, long toMillis) {
        Objects.requireNonNull(consumer, "consumer");
        Map<Key, long[]> rows = new TreeMap<>();
        reader.forEachEntry((partition, position, logOffset, e) -> {
            if (e.consumer().equals(consumer) && e.timeMillis() >= fromMillis && e.timeMillis() <= toMillis) {
                long[] r = rows.computeIfAbsent(new Key(e.resourceCode(), e.mode().name(), e.purpose()),
                        k -> new long[] {0, Long.MAX_VALUE, Long.MIN_VALUE});
                r[0]++;
                r[1] = Math.min(r[1], e.timeMillis());
                r[2] = Math.max(r[2], e.timeMillis());
            }
        });
        List<Row> out = new ArrayList<>();
        rows.forEach((k, r) -> out.add(new Row(k.resource(), k.mode(), k.purpose(), r[0], r[1], r[2])));
        return out;
    }
}
