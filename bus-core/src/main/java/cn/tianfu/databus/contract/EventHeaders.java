package cn.tianfu.databus.contract;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The record headers of the bus, declared once. The SDK's {@code Publisher} sets {@link #EVENT_ID}, {@link #OP} and
 * {@link #SOURCE_TIME} on every source event; the sharing router sets {@link #OP} (the delivery's kind),
 * {@link #EXCHANGE_ID} and copies {@link #EVENT_ID} and {@link #SOURCE_TIME} onto every delivery. Values are UTF-8
 * text.
 *
 * <pre>{@code
 * String op = KafkaHeaders.text(record.headers(), EventHeaders.OP).orElse(EventHeaders.OP_UPSERT);
 * }</pre>
 */
public final class EventHeaders {

    /** Unique id of the source event (a random UUID chosen by the publisher). */
    public static final String EVENT_ID = "databus.event-id";
    /**
     * What the record means: {@code UPSERT} or {@code DELETE} on a source topic; {@code UPSERT}, {@code DELETE} or
     * {@code RETRACT} on a delivery topic (see the SDK's {@code Delivery.Kind}).
     */
    public static final String OP = "databus.op";
    /** When the change happened at the source, epoch milliseconds in decimal. */
    public static final String SOURCE_TIME = "databus.source-time";
    /**
     * Where a change captured from a department database sits in that database's log; sorts in commit order (see
     * {@link SourcePositions}). Set by the CDC runner and the Connect transform; the sharing router drops an event whose
     * position is not later than the stored state of its key, so a change replayed after a restart is delivered once.
     */
    public static final String SOURCE_POSITION = "databus.source-position";
    /** Id of the exchange-log entry that records a delivery, so an auditor can link the two. */
    public static final String EXCHANGE_ID = "databus.exchange-id";

    /**
     * On a delivery record of a withdrawal: why the bus withdrew the record — {@code REVOKED}, {@code EXPIRED},
     * {@code NARROWED} or {@code RETIRED}. Set on the tombstone ({@link #OP} {@code RETRACT}) of every key the
     * consumer held under a grant that was revoked, expired, narrowed or whose resource was retired, and on a record
     * delivered again with fewer fields after a narrowing ({@link #OP} {@code UPSERT}). Absent otherwise (a
     * {@code RETRACT} without it: the record itself left the grant's row filter).
     */
    public static final String RETRACT_REASON = "databus.retract-reason";

    /** {@link #OP} value of a new or changed record. */
    public static final String OP_UPSERT = "UPSERT";
    /** {@link #OP} value of a deletion at the source. */
    public static final String OP_DELETE = "DELETE";
    /** {@link #OP} value of a retraction: the record left the grant's row filter. */
    public static final String OP_RETRACT = "RETRACT";

    private EventHeaders() {
    }

    /** A header value as UTF-8 text; empty when absent. */
    public static Optional<String> text(byte[] value) {
        return value == null ? Optional.empty() : Optional.of(new String(value, StandardCharsets.UTF_8));
    }

    /** Header value bytes for text. */
    public static byte[] bytes(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}
