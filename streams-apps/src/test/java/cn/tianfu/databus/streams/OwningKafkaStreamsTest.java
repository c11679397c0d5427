package cn.tianfu.databus.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OwningKafkaStreamsTest {

    @TempDir
    Path stateDir;

    private Properties props(String id) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, id);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:1");
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        return p;
    }

    private static Topology topology() {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("in").to("out");
        return builder.build();
    }

    @Test
    void closingClosesEveryOwnedClientOnceInReverseOrder() {
        List<String> closed = new ArrayList<>();
        OwningKafkaStreams streams = new OwningKafkaStreams(topology(), props("owning-test-1"),
                () -> closed.add("registry"), () -> closed.add("admin"));
        assertThat(streams.released()).isFalse();

        streams.close();
        streams.close(Duration.ofSeconds(1));

        assertThat(streams.state()).isEqualTo(KafkaStreams.State.NOT_RUNNING);
        assertThat(streams.released()).isTrue();
        assertThat(closed).containsExactly("admin", "registry");
    }

    @Test
    void aStateListenerOfTheCallerStillSeesEveryChangeAndAFailingCloseDoesNotStopTheOthers() {
        List<String> closed = new ArrayList<>();
        List<KafkaStreams.State> seen = new CopyOnWriteArrayList<>();
        OwningKafkaStreams streams = new OwningKafkaStreams(topology(), props("owning-test-2"),
                () -> closed.add("first"), () -> {
                    throw new IllegalStateException("cannot close");
                });
        streams.setStateListener((next, previous) -> seen.add(next));

        assertThat(streams.close(Duration.ofSeconds(5))).isTrue();

        // the listener runs on the thread that stopped the app, maybe just after close returned
        await().atMost(Duration.ofSeconds(30)).until(() -> seen.contains(KafkaStreams.State.NOT_RUNNING));
        assertThat(closed).containsExactly("first");
    }
}
