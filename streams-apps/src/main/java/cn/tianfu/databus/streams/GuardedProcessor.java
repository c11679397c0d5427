package cn.tianfu.databus.streams;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

import cn.tianfu.databus.deadletter.DeadLetterReason;
import cn.tianfu.databus.contract.RecordLimits;

/**
 * Wraps the first processor of an app (the one reading its input topics) so that no input record can stop it:
 * <ul>
 *   <li>a record larger uncompressed than {@link RecordLimits#MAX_RECORD_BYTES} (a small compressed batch may hold
 *       one) is rejected before the app copies it anywhere;</li>
 *   <li>a record the app's thread kept dying on ({@link PoisonPillGuard}) is rejected; while a task resumes at an
 *       offset that failed before, a commit is requested after each record, so the next failure narrows down to one
 *       record.</li>
 * </ul>
 * Rejected records throw {@link RejectedRecordException}, which {@link DeadLetterHandler} turns into a dead letter.
 *
 * <pre>{@code
 * topology.addProcessor("router", GuardedProcessor.wrap(() -> new RouterProcessor(...), guard), "sources");
 * }</pre>
 */
public final class GuardedProcessor<KIn, VIn, KOut, VOut> implements Processor<KIn, VIn, KOut, VOut> {

    /** Records committed one by one after resuming where an attempt failed. */
    static final int SUSPECT_RECORDS = 16;

    private final Processor<KIn, VIn, KOut, VOut> inner;
    private final PoisonPillGuard guard;
    private final Set<PoisonPillGuard.Position> started = new HashSet<>();
    /** Positions resumed where an attempt failed before, with how many more records to commit one by one. */
    private final Map<PoisonPillGuard.Position, Integer> suspect = new HashMap<>();
    private ProcessorContext<KOut, VOut> context;

    public GuardedProcessor(Processor<KIn, VIn, KOut, VOut> inner, PoisonPillGuard guard) {
        this.inner = inner;
        this.guard = guard;
    }

    /** A supplier of guarded processors, all sharing {@code guard}. */
    public static <KIn, VIn, KOut, VOut> ProcessorSupplier<KIn, VIn, KOut, VOut> wrap(
            ProcessorSupplier<KIn, VIn, KOut, VOut> supplier, PoisonPillGuard guard) {
        return () -> new GuardedProcessor<>(supplier.get(), guard);
    }

    @Override
    public void init(ProcessorContext<KOut, VOut> context) {
        this.context = context;
        inner.init(context);
    }

    @Override
    public void process(Record<KIn, VIn> record) {
        Optional<RecordMetadata> md = context.recordMetadata();
        PoisonPillGuard.Position position = md
                .map(m -> new PoisonPillGuard.Position(context.taskId().toString(), m.topic(), m.partition()))
                .orElse(null);
        if (position != null && started.add(position)) {
            long offset = md.get().offset();
            int failures = guard.resumed(position, offset);
            if (guard.isPoison(failures)) {
                guard.skipped(position);
                throw new RejectedRecordException(DeadLetterReason.REPEATED_FAILURE, "the app failed " + failures
                        + " times on the record at " + position.topic() + "-" + position.partition() + "@" + offset
                        + " (its stream thread died and was replaced each time); it is skipped so the app goes on");
            }
            if (failures > 0) {
                suspect.put(position, SUSPECT_RECORDS);
            }
        }
        long size = size(record);
        if (size > RecordLimits.MAX_RECORD_BYTES) {
            throw new RejectedRecordException(DeadLetterReason.RECORD_TOO_LARGE, "the record is " + size + " bytes"
                    + " uncompressed; the bus accepts at most " + RecordLimits.MAX_RECORD_BYTES + " (key, value and"
                    + " headers): split the record or keep large content outside the bus");
        }
        try {
            inner.process(record);
        } catch (RuntimeException e) {
            if (position != null && Failures.isTransient(e)) {
                guard.failedTransiently(position);
            }
            throw e;
        }
        if (position != null && suspect.computeIfPresent(position, (p, n) -> n <= 1 ? null : n - 1) != null) {
            context.commit();
        }
    }

    /** Uncompressed size of a record of bytes (key, value, headers); 0 for any other record. */
    static long size(Record<?, ?> record) {
        long size = 0;
        if (record.key() instanceof byte[] k) {
            size += k.length;
        }
        if (record.value() instanceof byte[] v) {
            size += v.length;
        }
        if (record.headers() != null) {
            for (Header h : record.headers()) {
                size += h.key().length() + (h.value() == null ? 0 : h.value().length);
            }
        }
        return size;
    }

    @Override
    public void close() {
        inner.close();
    }
}
