package cn.tianfu.databus.audit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

import cn.tianfu.databus.ledger.CanonicalEncoding;
import cn.tianfu.databus.ledger.Checkpoint;
import cn.tianfu.databus.ledger.ExchangeEntry;

/**
 * The exchange log indexed by key hash, for the citizen transparency service: fed every chained entry of
 * {@code bus.exchange-log} in log order per partition ({@link #addEntry}) and every signed checkpoint
 * ({@link #addCheckpoint}); answers the exchanges of one key hash, each with its {@link InclusionProof} once a
 * checkpoint covers it. Only the log's entries are read — never a record value. Thread-safe.
 *
 * <p>In memory: every entry (for the proof segments) and, per key hash, the positions of its entries.
 */
public final class TransparencyIndex {

    /** One exchange of a key: the chained entry and its proof, {@code null} until a checkpoint covers it. */
    public record Found(ExchangeEntry entry, InclusionProof proof) {
    }

    private record Position(int partition, long position) {
    }

    private record Signed(Checkpoint checkpoint, byte[] signature, String publicKeyId) {
    }

    private final Map<Integer, List<ExchangeEntry>> entries = new HashMap<>();
    private final Map<Integer, NavigableMap<Long, Signed>> checkpoints = new HashMap<>();
    private final Map<String, List<Position>> byKeyHash = new HashMap<>();

    /** Adds the next chained entry of a log partition (its chain position is the count of entries before it). */
    public synchronized void addEntry(int partition, ExchangeEntry chained) {
        List<ExchangeEntry> list = entries.computeIfAbsent(partition, p -> new ArrayList<>());
        list.add(chained);
        byKeyHash.computeIfAbsent(chained.keyHash(), k -> new ArrayList<>())
                .add(new Position(partition, list.size() - 1));
    }

    /** Adds a signed checkpoint; of several for one position (heartbeats) the first is kept. */
    public synchronized void addCheckpoint(Checkpoint checkpoint, byte[] signature, String publicKeyId) {
        if (checkpoint.offset() < 0) {
            return;
        }
        checkpoints.computeIfAbsent(checkpoint.partition(), p -> new TreeMap<>())
                .putIfAbsent(checkpoint.offset(), new Signed(checkpoint, signature.clone(), publicKeyId));
    }

    /** Every exchange of records whose key has this hash, in log order per partition, with proofs where possible. */
    public synchronized List<Found> exchangesOf(String keyHash) {
        List<Found> out = new ArrayList<>();
        for (Position p : byKeyHash.getOrDefault(keyHash, List.of())) {
            List<ExchangeEntry> list = entries.get(p.partition());
            ExchangeEntry e = list.get((int) p.position());
            out.add(new Found(e, proof(p, list)));
        }
        return out;
    }

    private InclusionProof proof(Position p, List<ExchangeEntry> list) {
        NavigableMap<Long, Signed> cps = checkpoints.get(p.partition());
        Map.Entry<Long, Signed> cp = cps == null ? null : cps.ceilingEntry(p.position());
        if (cp == null || cp.getKey() >= list.size()) {
            return null;        // not yet covered by a checkpoint (or the checkpoint is ahead of what was read)
        }
        List<byte[]> segment = new ArrayList<>();
        for (long i = p.position(); i <= cp.getKey(); i++) {
            segment.add(CanonicalEncoding.entry(list.get((int) i)));
        }
        ExchangeEntry e = list.get((int) p.position());
        return new InclusionProof(p.partition(), p.position(), e.prevHash(), e, segment, cp.getValue().checkpoint(),
                cp.getValue().signature(), cp.getValue().publicKeyId());
    }
}
