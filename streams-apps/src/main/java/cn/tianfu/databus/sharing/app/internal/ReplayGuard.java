package cn.tianfu.databus.sharing.app.internal;

import java.util.Arrays;

import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cn.tianfu.databus.contract.SourcePositions;

/**
 * Drops captured changes the key's stored state already reflects (Debezium delivers at least once across restarts),
 * and keeps that state: {@code router-latest}, {@code <sourceTopic> NUL <key>} → {@link StoredRecord}. Events without
 * a source position are never dropped.
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
                && Arrays.equals(stored.value(), valueBytes)) {
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
                latest.put(stateKey, new StoredRecord(partition, offset, schemaId, valueBytes, position,
                        stored.upstreamExchangeId()).encode());
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
     * came with ({@link StoredRecord#upstreamExchangeId()}; null: none).
     */
    void remember(String stateKey, int partition, long offset, int schemaId, byte[] valueBytes, String position,
                  String upstreamExchangeId) {
        if (valueBytes == null && position == null) {
            latest.delete(stateKey);
        } else if (valueBytes == null) {
            latest.put(stateKey, StoredRecord.deletedAt(partition, offset, position).encode());
        } else {
            latest.put(stateKey, new StoredRecord(partition, offset, schemaId, valueBytes, position,
                    upstreamExchangeId).encode());
        }
    }
}
