package cn.tianfu.databus.sharing.app.internal;

import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cn.tianfu.databus.contract.SourcePositions;

/**
 * Drops captured changes the key's stored state already reflects (Debezium delivers at least once across restarts),
 * and keeps that state: {@code router-latest}, {@code <sourceTopic> NUL <key>} → {@link StoredRecord}, as much of it
 * as the resource needs ({@link Keep}). Events without a source position are never dropped.
 */
final class ReplayGuard {

    private static final Logger LOG = LoggerFactory.getLogger(ReplayGuard.class);

    /** What a captured change is, next to the key's stored state. */
    enum Verdict {
        /** Not applied yet: route it. */
        NEW,
        /** Its position is not later than the stored one (same kind): already applied. */
        REPLAY,
        /** Exactly the stored value again at a position of the same kind (a snapshot read twice). */
        UNCHANGED
    }

    /** How much of a key's state a resource keeps in {@code router-latest} (docs/router.md). */
    enum Keep {
        /**
         * Nothing for an event without a source position (the resource has no grant: no one is delivered, withdrawn or
         * answered); a captured change still leaves a position record, for the replay guard.
         */
        NOTHING,
        /** A position record: where the value is in the source topic, and the digest of a captured change's value. */
        POSITION,
        /** The value too: the resource has a SERVICE or BOTH grant, whose lookups answer from it. */
        VALUE
    }

    private final KeyValueStore<String, byte[]> latest;
    private final Runnable dropped;

    /**
     * @param latest  the latest-state store
     * @param dropped counts a change dropped as a replay
     */
    ReplayGuard(KeyValueStore<String, byte[]> latest, Runnable dropped) {
        this.latest = latest;
        this.dropped = dropped;
    }

    /**
     * A change at {@code position} carrying {@code valueBytes} (null: a delete), against the key's stored state (null:
     * none).
     */
    static Verdict judge(StoredRecord stored, String position, byte[] valueBytes) {
        if (stored == null || position == null) {
            return Verdict.NEW;
        }
        if (SourcePositions.isReplay(stored.sourcePosition(), position)) {
            return Verdict.REPLAY;
        }
        if (valueBytes != null && !stored.isDeleted() && stored.sourcePosition() != null
                && SourcePositions.kind(stored.sourcePosition()).equals(SourcePositions.kind(position))
                && stored.sameValue(valueBytes)) {
            return Verdict.UNCHANGED;
        }
        return Verdict.NEW;
    }

    /**
     * Whether a change read at {@code partition}/{@code offset} was applied already, in which case it is dropped:
     * counted, not delivered; an unchanged re-read moves the stored state to its position.
     *
     * @param stateKey   {@link StateKeys#latest}
     * @param position   its {@code databus.source-position}, or null
     * @param valueBytes its value as published; null for a delete
     */
    boolean alreadyApplied(String stateKey, String position, byte[] valueBytes, int partition, long offset,
                           int schemaId) {
        return alreadyApplied(stateKey, position, valueBytes, partition, offset, schemaId, Keep.VALUE);
    }

    /**
     * As {@link #alreadyApplied(String, String, byte[], int, long, int)}; an unchanged re-read is stored as
     * {@code keep} says.
     */
    boolean alreadyApplied(String stateKey, String position, byte[] valueBytes, int partition, long offset,
                           int schemaId, Keep keep) {
        if (position == null) {
            return false;
        }
        byte[] storedBytes = latest.get(stateKey);
        if (storedBytes == null) {
            return false;
        }
        StoredRecord stored = StoredRecord.decode(storedBytes);
        switch (judge(stored, position, valueBytes)) {
            case REPLAY -> {
                dropped.run();
                LOG.debug("Dropped a replayed change at {} of {}: the stored state is at {}", position,
                        StateKeys.printable(stateKey), stored.sourcePosition());
                return true;
            }
            case UNCHANGED -> {
                latest.put(stateKey, state(partition, offset, schemaId, valueBytes, position,
                        stored.upstreamExchangeId(), keep).encode());
                dropped.run();
                LOG.debug("Dropped an unchanged re-read at {} of {}", position, StateKeys.printable(stateKey));
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    /**
     * Stores the key's new state after a change was handled: a value; a delete with a position leaves a marker (so
     * older replays of the key are still recognised); a delete without one removes the key.
     */
    void remember(String stateKey, int partition, long offset, int schemaId, byte[] valueBytes, String position) {
        remember(stateKey, partition, offset, schemaId, valueBytes, position, null);
    }

    /**
     * As {@link #remember(String, int, long, int, byte[], String)}, keeping with a value the upstream exchange id it
     * came with ({@link StoredRecord#upstreamExchangeId()}; null: none) and the value itself.
     */
    void remember(String stateKey, int partition, long offset, int schemaId, byte[] valueBytes, String position,
                  String upstreamExchangeId) {
        remember(stateKey, partition, offset, schemaId, valueBytes, position, upstreamExchangeId, Keep.VALUE);
    }

    /**
     * Stores the key's new state after a change was handled, as much of it as {@code keep} says: with
     * {@link Keep#NOTHING} a change without a source position writes nothing (a state left from before is removed, so
     * none goes stale), one with a position is kept as a position record.
     */
    void remember(String stateKey, int partition, long offset, int schemaId, byte[] valueBytes, String position,
                  String upstreamExchangeId, Keep keep) {
        if (keep == Keep.NOTHING && position == null) {
            if (latest.get(stateKey) != null) {
                latest.delete(stateKey);
            }
        } else if (valueBytes == null && position == null) {
            latest.delete(stateKey);
        } else if (valueBytes == null) {
            latest.put(stateKey, StoredRecord.deletedAt(partition, offset, position).encode());
        } else {
            latest.put(stateKey, state(partition, offset, schemaId, valueBytes, position, upstreamExchangeId, keep)
                    .encode());
        }
    }

    /**
     * As {@link #remember(String, int, long, int, byte[], String, String, Keep)}, for a live record a grant's backfill
     * covers: the backfill may have replayed it first and filled the key's state from it already, in which case the
     * store is left as it is rather than written the same state again. Costs one read, so only records a backfill
     * covers come here.
     */
    void rememberCovered(String stateKey, int partition, long offset, int schemaId, byte[] valueBytes, String position,
                         String upstreamExchangeId, Keep keep) {
        byte[] storedBytes = latest.get(stateKey);
        if (storedBytes != null && keep != Keep.NOTHING) {
            StoredRecord stored = StoredRecord.decode(storedBytes);
            boolean same = stored.partition() == partition && stored.offset() == offset
                    && (valueBytes == null ? stored.isDeleted() && position != null
                    : !stored.isDeleted() && stored.valueKept() == (keep == Keep.VALUE));
            if (same) {
                return;
            }
        }
        remember(stateKey, partition, offset, schemaId, valueBytes, position, upstreamExchangeId, keep);
    }

    /**
     * Brings the key's state up to a record a backfill replayed at {@code offset} of the source partition, when the
     * store has nothing as recent: no state, an older one, or — with {@code keep} {@link Keep#VALUE} — the same record
     * without its value. A captured change the stored state already reflects (an older position) is left alone. This
     * fills the state of a resource that had no grant (nothing was kept) once it gets one, and the values of one that
     * gets a SERVICE or BOTH grant.
     */
    void fill(String stateKey, int partition, long offset, int schemaId, byte[] valueBytes, String position,
              String upstreamExchangeId, Keep keep) {
        if (keep == Keep.NOTHING) {
            return;
        }
        byte[] storedBytes = latest.get(stateKey);
        if (storedBytes != null) {
            StoredRecord stored = StoredRecord.decode(storedBytes);
            boolean older = stored.offset() < offset;
            boolean valueMissing = stored.offset() == offset && keep == Keep.VALUE && valueBytes != null
                    && !stored.valueKept();
            if (!older && !valueMissing) {
                return;
            }
            if (older && position != null && judge(stored, position, valueBytes) != Verdict.NEW) {
                return;
            }
        } else if (valueBytes == null) {
            return;                             // a delete of a key with no state: nothing to remember
        }
        remember(stateKey, partition, offset, schemaId, valueBytes, position, upstreamExchangeId, keep);
    }

    private static StoredRecord state(int partition, long offset, int schemaId, byte[] valueBytes, String position,
                                      String upstreamExchangeId, Keep keep) {
        return keep == Keep.VALUE
                ? StoredRecord.withValue(partition, offset, schemaId, valueBytes, position, upstreamExchangeId)
                : StoredRecord.positionOf(partition, offset, schemaId, valueBytes, position, upstreamExchangeId);
    }
}
