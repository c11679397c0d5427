package cn.tianfu.databus.contract;

import java.util.Optional;

/**
 * Source positions: where a change was captured in its database's log, as carried by the header
 * {@link EventHeaders#SOURCE_POSITION}. A position is {@code <kind>:<parts>} with fixed-width, zero-padded parts, so
 * two positions of the same kind compare in commit order as plain strings:
 * <ul>
 *   <li>{@code pg:<commit LSN, 16 hex>:<event LSN, 16 hex>} — PostgreSQL logical decoding;</li>
 *   <li>{@code binlog:<file index, 10 digits>:<event position, 12 digits>:<row in event, 6 digits>} — MySQL/MariaDB.</li>
 * </ul>
 * Rows read by an initial snapshot carry the snapshot's position. Positions of different kinds are not comparable.
 *
 * <pre>{@code
 * SourcePositions.isReplay("pg:0000000001A2B3C4:0000000001A2B3F0", incoming)   // true when incoming is not later
 * }</pre>
 */
public final class SourcePositions {

    private SourcePositions() {
    }

    /** The kind of a position ({@code pg}, {@code binlog}); empty when it has none. */
    public static Optional<String> kind(String position) {
        if (position == null) {
            return Optional.empty();
        }
        int colon = position.indexOf(':');
        return colon <= 0 ? Optional.empty() : Optional.of(position.substring(0, colon));
    }

    /**
     * Whether an event at {@code incoming} was already applied by the state at {@code stored}: both of the same kind and
     * {@code incoming} not later than {@code stored}. False when either is absent or they are of different kinds.
     */
    public static boolean isReplay(String stored, String incoming) {
        Optional<String> a = kind(stored);
        Optional<String> b = kind(incoming);
        return a.isPresent() && a.equals(b) && incoming.compareTo(stored) <= 0;
    }
}
