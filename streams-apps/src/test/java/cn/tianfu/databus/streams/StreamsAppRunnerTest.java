package cn.tianfu.databus.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import cn.tianfu.databus.config.DatabusConfigException;

class StreamsAppRunnerTest {

    @TempDir
    Path dir;

    @Test
    void theConfigFileIsNamedByTheConfigOption() {
        assertThat(StreamsAppRunner.configFile(List.of("--config", "/etc/databus/ledger.properties")))
                .isEqualTo(Path.of("/etc/databus/ledger.properties"));
        assertThat(StreamsAppRunner.configFile(List.of("--config=app.properties"))).isEqualTo(Path.of("app.properties"));
        assertThatThrownBy(() -> StreamsAppRunner.configFile(List.of("--config")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--config FILE");
        assertThatThrownBy(() -> StreamsAppRunner.configFile(List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theConfigFileIsReadAsUtf8WithTrimmedValues() throws IOException {
        Path file = dir.resolve("governance.properties");
        Files.writeString(file, "bootstrap.servers = b1:9092 \nstreams.num.stream.threads=2\n# comment\n");
        assertThat(StreamsAppRunner.loadConfig(file)).containsEntry("bootstrap.servers", "b1:9092")
                .containsEntry("streams.num.stream.threads", "2").hasSize(2);
        assertThatThrownBy(() -> StreamsAppRunner.loadConfig(dir.resolve("missing.properties")))
                .isInstanceOf(DatabusConfigException.class).hasMessageContaining("missing.properties");
    }

    @Test
    void withoutAConfigFileTheRunIsAUsageError() {
        assertThat(StreamsAppRunner.run(new String[0], "ledger", props -> {
            throw new AssertionError("not created without a config");
        })).isEqualTo(StreamsAppRunner.USAGE);
    }

    @Test
    void anAppThatCannotBeCreatedIsAFailure() throws IOException {
        Path file = dir.resolve("bad.properties");
        Files.writeString(file, "state.dir=\n");
        assertThat(StreamsAppRunner.run(new String[] {"--config", file.toString()}, "ledger", props -> {
            throw new DatabusConfigException("ledger", List.of("bootstrap.servers is required"));
        })).isEqualTo(StreamsAppRunner.FAILED);
    }
}
