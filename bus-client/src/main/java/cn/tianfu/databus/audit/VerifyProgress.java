package cn.tianfu.databus.audit;

import java.util.Map;

/**
 * What {@link AuditReader#verify(VerifyOptions, VerifyProgress)} reports while it replays the log, for a caller that
 * shows a long verification as it runs (the HTTP API's verify job). Called on the verifying thread; an implementation
 * that is read from another thread publishes what it keeps safely.
 */
public interface VerifyProgress {

    /** Reports nothing. */
    VerifyProgress NONE = new VerifyProgress() {
    };

    /** The replay starts: the log's partitions and the end offset each is read to. */
    default void started(Map<Integer, Long> endOffsets) {
    }

    /** A record of {@code partition} at {@code offset} was read (whether it decoded or not). */
    default void read(int partition, long offset) {
    }

    /** {@code partition} is verified. */
    default void finished(VerificationReport.Partition result) {
    }
}
