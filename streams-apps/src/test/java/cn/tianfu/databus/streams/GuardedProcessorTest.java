package cn.tianfu.databus.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

import cn.tianfu.databus.deadletter.DeadLetterReason;
import cn.tianfu.databus.contract.RecordLimits;

class GuardedProcessorTest {

    private final PoisonPillGuard guard = new PoisonPillGuard(3);
    private final List<Long> processed = new ArrayList<>();

    /** One attempt of a task: a fresh processor (as after a thread replacement) reading from {@code offset} on. */
    private GuardedProcessor<byte[], byte[], byte[], byte[]> attempt(MockProcessorContext<byte[], byte[]> context,
                                                                    RuntimeException failure) {
        Processor<byte[], byte[], byte[], byte[]> inner = new Processor<>() {
            @Override
            public void process(Record<byte[], byte[]> record) {
                if (failure != null) {
                    throw failure;
                }
                processed.add(context.recordMetadata().orElseThrow().offset());
            }
        };
        GuardedProcessor<byte[], byte[], byte[], byte[]> p = new GuardedProcessor<>(inner, guard);
        p.init(context);
        return p;
    }

    private static MockProcessorContext<byte[], byte[]> at(long offset) {
        MockProcessorContext<byte[], byte[]> context = new MockProcessorContext<>();
        context.setRecordMetadata("src.psb.101-000001", 0, offset);
        return context;
    }

    private static Record<byte[], byte[]> record(int valueBytes) {
        return new Record<>(new byte[] {1}, new byte[valueBytes], 0L);
    }

    @Test
    void aRecordTheTaskKeepsResumingAtIsRejectedAfterTheLimitAndTheNextIsProcessed() {
        // three attempts resume at offset 7 and die before committing past it (e.g. at commit)
        for (int i = 0; i < 3; i++) {
            MockProcessorContext<byte[], byte[]> context = at(7);
            attempt(context, null).process(record(10));
            // a resume where an attempt failed before commits record by record, to narrow the next failure down
            assertThat(context.committed()).isEqualTo(i > 0);
        }
        assertThatThrownBy(() -> attempt(at(7), null).process(record(10)))
                .isInstanceOfSatisfying(RejectedRecordException.class, e -> {
                    assertThat(e.reason()).isEqualTo(DeadLetterReason.REPEATED_FAILURE);
                    assertThat(e.getMessage()).contains("failed 3 times", "src.psb.101-000001-0@7");
                });
        assertThat(processed).containsExactly(7L, 7L, 7L);
        // the skip committed: the next attempt resumes at 8 and is processed normally
        MockProcessorContext<byte[], byte[]> next = at(8);
        attempt(next, null).process(record(10));
        assertThat(processed).endsWith(8L);
        assertThat(next.committed()).isFalse();
    }

    @Test
    void progressResetsTheCount() {
        attempt(at(7), null).process(record(10));
        attempt(at(7), null).process(record(10));
        attempt(at(9), null).process(record(10));
        attempt(at(9), null).process(record(10));
        attempt(at(9), null).process(record(10));
        assertThat(processed).containsExactly(7L, 7L, 9L, 9L, 9L);
    }

    @Test
    void transientFailuresAreNotCounted() {
        for (int i = 0; i < 5; i++) {
            GuardedProcessor<byte[], byte[], byte[], byte[]> p = attempt(at(7), new TimeoutException("broker away"));
            assertThatThrownBy(() -> p.process(record(10))).isInstanceOf(TimeoutException.class);
        }
        attempt(at(7), null).process(record(10));
        assertThat(processed).containsExactly(7L);
    }

    @Test
    void aRecordLargerUncompressedThanTheLimitIsRejectedBeforeTheAppSeesIt() {
        GuardedProcessor<byte[], byte[], byte[], byte[]> p = attempt(at(1), null);
        assertThatThrownBy(() -> p.process(record(RecordLimits.MAX_RECORD_BYTES)))
                .isInstanceOfSatisfying(RejectedRecordException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.RECORD_TOO_LARGE));
        p.process(record(RecordLimits.MAX_RECORD_BYTES - 1));
        assertThat(processed).containsExactly(1L);
    }
}
