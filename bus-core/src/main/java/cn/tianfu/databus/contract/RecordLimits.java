package cn.tianfu.databus.contract;

/**
 * The record sizes the bus accepts and writes, in one place. The broker checks {@code max.message.bytes} against the
 * (possibly compressed) batch; the bus's apps check the uncompressed record against the same number, so a small
 * compressed record that inflates past it is dead-lettered, not re-produced whole.
 *
 * <ul>
 *   <li>{@link #MAX_RECORD_BYTES}: the largest record (key + value + headers, uncompressed) a department may put on
 *       {@code src.<dept>.*} or {@code cmd.<dept>}; the topics' {@code max.message.bytes}.</li>
 *   <li>{@link #MAX_REQUEST_BYTES}: {@code max.request.size} of every producer the bus runs, and
 *       {@code max.message.bytes} of the internal topics of its streams apps: what the bus writes from one accepted
 *       record (a delivery, an envelope, a changelog entry, a bounded dead letter) fits with room to spare.</li>
 * </ul>
 */
public final class RecordLimits {

    /** 1 MiB: the largest accepted input record, and {@code max.message.bytes} of the source and command topics. */
    public static final int MAX_RECORD_BYTES = 1024 * 1024;

    /** 2 MiB: {@code max.request.size} of the bus's producers; twice the input limit. */
    public static final int MAX_REQUEST_BYTES = 2 * MAX_RECORD_BYTES;

    private RecordLimits() {
    }
}
