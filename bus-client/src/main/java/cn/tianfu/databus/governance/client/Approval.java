package cn.tianfu.databus.governance.client;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a provider approves a conditional request: the grant may narrow the requested fields, rows (a CEL filter) and
 * time, and name personal fields to deliver unmasked. Immutable; start from {@link #asRequested()}.
 *
 * <pre>{@code
 * Approval approval = Approval.asRequested()
 *         .withFields(List.of("idNumber", "name", "divisionCode"))
 *         .withFilter("divisionCode.startsWith('5101')")
 *         .until(Instant.parse("2027-12-31T16:00:00Z"));
 * client.approve(requestId, approval);
 * }</pre>
 *
 * @param fields      data items the grant allows; empty allows what was requested
 * @param filter      CEL expression a record must satisfy to be delivered; empty delivers every record
 * @param clearFields personal data items delivered unmasked; empty masks every personal item
 * @param validFrom   start of validity; empty means from the decision
 * @param validUntil  end of validity; empty means until revoked
 * @param reason      reason given to the requester, if any
 * @param rateLimit   answers per minute of the service exchange under the grant; empty: the bus's default
 * @param dailyLimit  answers per calendar day of the service exchange under the grant; empty: the bus's default
 */
public record Approval(Optional<List<String>> fields, Optional<String> filter, List<String> clearFields,
        Optional<Instant> validFrom, Optional<Instant> validUntil, Optional<String> reason, Optional<Long> rateLimit,
        Optional<Long> dailyLimit) {

    public Approval {
        Objects.requireNonNull(fields, "fields");
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(validFrom, "validFrom");
        Objects.requireNonNull(validUntil, "validUntil");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(rateLimit, "rateLimit");
        Objects.requireNonNull(dailyLimit, "dailyLimit");
        if (rateLimit.isPresent() && rateLimit.get() < 1 || dailyLimit.isPresent() && dailyLimit.get() < 1) {
            throw new IllegalArgumentException("rate and daily limits must be at least 1");
        }
        fields = fields.map(List::copyOf);
        clearFields = List.copyOf(clearFields);
        if (fields.isPresent() && fields.get().isEmpty()) {
            throw new IllegalArgumentException("fields: an approval allowing no field grants nothing; reject the request instead");
        }
        if (filter.isPresent() && filter.get().isBlank()) {
            throw new IllegalArgumentException("filter: a row filter must not be blank");
        }
        if (validFrom.isPresent() && validUntil.isPresent() && !validUntil.get().isAfter(validFrom.get())) {
            throw new IllegalArgumentException("validUntil " + validUntil.get() + " must be after validFrom " + validFrom.get());
        }
    }

    /** Grants what was requested, from now until revoked, personal items masked. */
    public static Approval asRequested() {
        return new Approval(Optional.empty(), Optional.empty(), List.of(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty());
    }

    public Approval withFields(List<String> allowed) {
        return new Approval(Optional.of(allowed), filter, clearFields, validFrom, validUntil, reason, rateLimit, dailyLimit);
    }

    public Approval withFilter(String celExpression) {
        return new Approval(fields, Optional.of(celExpression), clearFields, validFrom, validUntil, reason, rateLimit, dailyLimit);
    }

    public Approval withClearFields(List<String> clear) {
        return new Approval(fields, filter, clear, validFrom, validUntil, reason, rateLimit, dailyLimit);
    }

    public Approval from(Instant start) {
        return new Approval(fields, filter, clearFields, Optional.of(start), validUntil, reason, rateLimit, dailyLimit);
    }

    public Approval until(Instant end) {
        return new Approval(fields, filter, clearFields, validFrom, Optional.of(end), reason, rateLimit, dailyLimit);
    }

    public Approval withReason(String why) {
        return new Approval(fields, filter, clearFields, validFrom, validUntil, Optional.of(why), rateLimit, dailyLimit);
    }

    /** Limits the service exchange under the grant: answers per minute and per calendar day (Asia/Shanghai). */
    public Approval withLimits(Long perMinute, Long perDay) {
        return new Approval(fields, filter, clearFields, validFrom, validUntil, reason, Optional.ofNullable(perMinute),
                Optional.ofNullable(perDay));
    }
}
