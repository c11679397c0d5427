package cn.tianfu.databus.streams;

import org.apache.kafka.common.errors.RetriableException;

import cn.tianfu.databus.DatabusException;

/** Tells a failure of the infrastructure (worth retrying the same record) from a failure on the record itself. */
public final class Failures {

    private Failures() {
    }

    /**
     * Whether {@code e} or a cause is retriable: a Kafka {@link RetriableException} or a {@link DatabusException} that
     * says so (e.g. the schema registry unreachable). Such a record is retried, never dead-lettered.
     */
    public static boolean isTransient(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RetriableException || t instanceof DatabusException d && d.isRetriable()) {
                return true;
            }
        }
        return false;
    }

    /** The first {@link RejectedRecordException} in {@code e}'s causes, or null. */
    static RejectedRecordException rejection(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RejectedRecordException r) {
                return r;
            }
        }
        return null;
    }
}
