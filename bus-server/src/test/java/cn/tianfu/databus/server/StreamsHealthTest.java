package cn.tianfu.databus.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.streams.KafkaStreams.State;
import org.apache.kafka.streams.errors.StreamsException;
import org.junit.jupiter.api.Test;

class StreamsHealthTest {

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-09-18T02:00:00Z"));
    private final InstantSource clock = () -> now.get();
    private final StreamsHealth health = new StreamsHealth(clock, Duration.ofMinutes(2));

    private void later(Duration d) {
        now.set(now.get().plus(d));
    }

    @Test
    void runningOrRebalancingWithoutFailuresIsUp() {
        assertThat(health.verdict(State.RUNNING).up()).isTrue();
        assertThat(health.verdict(State.REBALANCING).up()).isTrue();
        assertThat(health.verdict(State.REBALANCING).reason()).isNull();
    }

    @Test
    void aFailureLoopIsDownWhateverTheStateSaysBetweenTwoFailures() {
        health.threadFailed(new StreamsException("RecordTooLargeException: the message is 5242980 bytes"));
        assertThat(health.verdict(State.RUNNING).up()).as("one failure, replaced, running again").isTrue();
        later(Duration.ofSeconds(20));
        health.threadFailed(new StreamsException("RecordTooLargeException: the message is 5242980 bytes"));
        StreamsHealth.Verdict v = health.verdict(State.RUNNING);
        assertThat(v.up()).isFalse();
        assertThat(v.recentFailures()).isEqualTo(2);
        assertThat(v.reason()).contains("2 stream thread failures in the last 120 s", "RecordTooLargeException");
        assertThat(health.verdict(State.REBALANCING).up()).isFalse();
    }

    @Test
    void rebalancingAfterAFailureIsDownUntilTheWindowHasPassedWithoutFailures() {
        health.threadFailed(new StreamsException("Existing internal topic has invalid partitions"));
        StreamsHealth.Verdict v = health.verdict(State.REBALANCING);
        assertThat(v.up()).isFalse();
        assertThat(v.reason()).contains("rebalancing after a stream thread failure", "invalid partitions");
        later(Duration.ofMinutes(2).plusSeconds(1));
        assertThat(health.verdict(State.REBALANCING).up()).isTrue();
        assertThat(health.verdict(State.RUNNING).recentFailures()).isZero();
    }

    @Test
    void errorOrStoppedIsDown() {
        assertThat(health.verdict(State.ERROR).up()).isFalse();
        assertThat(health.verdict(State.NOT_RUNNING).reason()).contains("NOT_RUNNING");
        assertThat(health.verdict(State.PENDING_SHUTDOWN).up()).isFalse();
    }
}
