package cn.tianfu.databus.sharing;

import java.time.Instant;
import java.util.Optional;

/**
 * When a grant is in force: while it is active and {@code validFrom ≤ t < validUntil}, either bound optional.
 * A window whose {@code validFrom} is not before its {@code validUntil} is never in force (the governance app refuses
 * such grants; a router meeting one simply delivers nothing).
 *
 * <pre>{@code
 * GrantWindow w = GrantWindow.ofMillis(grant.getStatus().toString(), grant.getValidFrom(), grant.getValidUntil());
 * if (w.inForceAt(now)) { ... }
 * w.nextChangeAfter(now).ifPresent(this::scheduleCheck);
 * }</pre>
 *
 * @param active     whether the grant's status is {@code ACTIVE} (not requested, suspended, revoked or expired)
 * @param validFrom  first instant of the window, or {@code null} for "since ever"
 * @param validUntil first instant after the window, or {@code null} for "until revoked"
 */
public record GrantWindow(boolean active, Instant validFrom, Instant validUntil) {

    /** The grant status under which a grant can be in force. */
    public static final String ACTIVE_STATUS = "ACTIVE";

    /**
     * A window from a grant's status name and bounds in epoch milliseconds ({@code null} for an open bound).
     */
    public static GrantWindow ofMillis(CharSequence status, Long validFromMillis, Long validUntilMillis) {
        return new GrantWindow(status != null && ACTIVE_STATUS.contentEquals(status),
                validFromMillis == null ? null : Instant.ofEpochMilli(validFromMillis),
                validUntilMillis == null ? null : Instant.ofEpochMilli(validUntilMillis));
    }

    /** Whether the grant is in force at {@code t}. */
    public boolean inForceAt(Instant t) {
        return active
                && (validFrom == null || !t.isBefore(validFrom))
                && (validUntil == null || t.isBefore(validUntil));
    }

    /** Whether the grant is in force at {@code epochMillis}. */
    public boolean inForceAt(long epochMillis) {
        return inForceAt(Instant.ofEpochMilli(epochMillis));
    }

    /** Whether the window can never be in force, whatever the time. */
    public boolean isEmpty() {
        return !active || (validFrom != null && validUntil != null && !validFrom.isBefore(validUntil));
    }

    /** Whether the window has ended by {@code t} (so the grant can be expired). */
    public boolean endedBy(Instant t) {
        return validUntil != null && !t.isBefore(validUntil);
    }

    /**
     * The next instant after {@code t} at which {@link #inForceAt} changes: the start of the window if it lies
     * ahead, else its end if the grant is in force; empty when nothing will change by itself.
     */
    public Optional<Instant> nextChangeAfter(Instant t) {
        if (isEmpty()) {
            return Optional.empty();
        }
        if (validFrom != null && t.isBefore(validFrom)) {
            return Optional.of(validFrom);
        }
        if (validUntil != null && t.isBefore(validUntil)) {
            return Optional.of(validUntil);
        }
        return Optional.empty();
    }
}
