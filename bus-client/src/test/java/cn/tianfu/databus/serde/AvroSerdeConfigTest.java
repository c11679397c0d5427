package cn.tianfu.databus.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import cn.tianfu.databus.config.DatabusConfigException;
import cn.tianfu.databus.registry.HttpSchemaRegistryClient;

class AvroSerdeConfigTest {

    @Test
    void defaultsFollowConfluentsSerializers() {
        AvroSerdeConfig config = AvroSerdeConfig.fromMap(Map.of("schema.registry.url", "http://r1:8081, http://r2:8081"));

        assertThat(config.registryUrls()).containsExactly("http://r1:8081", "http://r2:8081");
        assertThat(config.autoRegisterSchemas()).isTrue();
        assertThat(config.useLatestVersion()).isFalse();
        assertThat(config.specificAvroReader()).isFalse();
        assertThat(config.latestCacheTtl()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.subjectNameStrategy(false)).isSameAs(SubjectNameStrategy.TOPIC_NAME);
        assertThat(((HttpSchemaRegistryClient) config.registryClient()).urls()).hasSize(2);
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        Map<String, Object> props = Map.of(
                "schema.registry.url", "ftp://registry",
                "basic.auth.user.info", "no-colon",
                "auto.register.schemas", "maybe",
                "key.subject.name.strategy", "Nope",
                "schema.registry.request.timeout.ms", "0");

        assertThatThrownBy(() -> AvroSerdeConfig.fromMap(props))
                .isInstanceOfSatisfying(DatabusConfigException.class, e -> assertThat(e.problems()).hasSize(5))
                .hasMessageStartingWith("5 problems in avro serde config: ")
                .hasMessageContaining("ftp://registry")
                .hasMessageContaining("basic.auth.user.info must be user:password")
                .hasMessageContaining("auto.register.schemas")
                .hasMessageContaining("'Nope' is unknown")
                .hasMessageContaining("schema.registry.request.timeout.ms")
                .hasMessageNotContaining("no-colon");
    }
}
