package cn.tianfu.databus.streams;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cn.tianfu.databus.deadletter.DeadLetterReason;
import cn.tianfu.databus.deadletter.DeadLetters;
import cn.tianfu.databus.schemas.DeadLetter;

/**
 * The one failure policy of the bus's streams apps: one bad record never stops the stream. An exception a processor
 * (or punctuation) throws becomes a typed, bounded dead letter on {@code bus.deadletter} and processing resumes with
 * the next record ({@code processing.exception.handler}, KIP-1033, with the dead letter written through the
 * handler's response, KIP-1034, in the task's transaction); a record the producer refuses (e.g.
 * {@link RecordTooLargeException}) or cannot serialize is dead-lettered the same way
 * ({@code production.exception.handler}). A transient failure (broker or registry unreachable) fails the thread
 * instead: it is replaced and the record is retried, never dead-lettered.
 *
 * <p>Under exactly-once a producer error inside {@code send} leaves the transaction abortable whatever the handler
 * answers, so the task is redone; {@link GuardedProcessor} ends such a loop (its input size check prevents the usual
 * cause, and a record the thread keeps dying on is skipped after a few attempts).
 */
public final class DeadLetterHandler implements ProcessingExceptionHandler, ProductionExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterHandler.class);

    private DeadLetterWriter writer;

    @Override
    public void configure(Map<String, ?> configs) {
        Object w = configs.get(StreamsAppConfig.DEAD_LETTER_WRITER_CONFIG);
        if (!(w instanceof DeadLetterWriter dlw)) {
            throw new IllegalArgumentException(StreamsAppConfig.DEAD_LETTER_WRITER_CONFIG + " must be a "
                    + DeadLetterWriter.class.getName() + " (see StreamsAppConfig.failureHandling), was " + w);
        }
        this.writer = dlw;
    }

    @Override
    public ProcessingExceptionHandler.Response handleError(ErrorHandlerContext context, Record<?, ?> record,
                                                           Exception exception) {
        if (Failures.isTransient(exception)) {
            LOG.warn("{}: transient failure in {} at {}; the thread is replaced and the record retried: {}",
                    writer.component(), context.processorNodeId(), position(context), exception.toString());
            return ProcessingExceptionHandler.Response.fail();
        }
        RejectedRecordException rejected = Failures.rejection(exception);
        DeadLetterReason reason = rejected != null ? rejected.reason() : DeadLetterReason.PROCESSING_ERROR;
        String message = rejected != null ? rejected.getMessage()
                : context.processorNodeId() + " failed on this record: " + describe(exception);
        return ProcessingExceptionHandler.Response.resume(deadLetter(context, reason, message, exception));
    }

    @Override
    public ProductionExceptionHandler.Response handleError(ErrorHandlerContext context,
                                                           ProducerRecord<byte[], byte[]> record, Exception exception) {
        if (Failures.isTransient(exception)) {
            return ProductionExceptionHandler.Response.fail();
        }
        DeadLetterReason reason = exception instanceof RecordTooLargeException
                ? DeadLetterReason.RECORD_TOO_LARGE : DeadLetterReason.PROCESSING_ERROR;
        return ProductionExceptionHandler.Response.resume(deadLetter(context, reason, "writing the output of this"
                + " record to " + record.topic() + " failed: " + describe(exception), exception));
    }

    @Override
    public ProductionExceptionHandler.Response handleSerializationError(ErrorHandlerContext context,
                                                                        ProducerRecord record, Exception exception,
                                                                        SerializationExceptionOrigin origin) {
        if (Failures.isTransient(exception)) {
            return ProductionExceptionHandler.Response.fail();
        }
        return ProductionExceptionHandler.Response.resume(deadLetter(context, DeadLetterReason.PROCESSING_ERROR,
                "the output of this record for " + record.topic() + " could not be serialized (" + origin + "): "
                        + describe(exception), exception));
    }

    private List<ProducerRecord<byte[], byte[]>> deadLetter(ErrorHandlerContext context, DeadLetterReason reason,
                                                           String message, Exception exception) {
        boolean fromInput = context.topic() != null && context.offset() >= 0;
        DeadLetter letter = DeadLetters.builder(writer.component(), reason, message)
                .source(context.topic(), fromInput ? context.partition() : null, fromInput ? context.offset() : null)
                .original(context.sourceRawKey(), context.sourceRawValue(), context.headers())
                .time(Instant.now())
                .build();
        if (fromInput) {
            // deterministic: a replay of the same input rewrites the same dead letter
            letter.setId(writer.component() + "/" + context.topic() + "/" + context.partition() + "/" + context.offset());
        }
        LOG.warn("{}: dead letter {} for the record at {} ({}): {}", writer.component(), reason, position(context),
                context.processorNodeId(), message, exception);
        return List.of(writer.record(letter));
    }

    private static String position(ErrorHandlerContext context) {
        return context.topic() == null ? "a punctuation of task " + context.taskId()
                : context.topic() + "-" + context.partition() + "@" + context.offset();
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}
