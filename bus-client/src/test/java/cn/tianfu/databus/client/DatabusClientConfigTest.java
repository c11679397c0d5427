package cn.tianfu.databus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import cn.tianfu.databus.config.DatabusConfigException;

class DatabusClientConfigTest {

    private static Map<String, Object> valid() {
        Map<String, Object> m = new HashMap<>();
        m.put("bootstrap.servers", "bus-1:9092,bus-2:9092");
        m.put("schema.registry.url", "http://bus-1:8081");
        m.put("department.id", "psb");
        return m;
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        Map<String, Object> props = Map.of(
                "department.id", "A B",
                "security.protocol", "SASL_SSL",
                "sasl.mechanism", "GSSAPI",
                "request.timeout.ms", "soon");

        assertThatThrownBy(() -> DatabusClientConfig.fromMap(props))
                .isInstanceOfSatisfying(DatabusConfigException.class, e -> {
                    assertThat(e.component()).isEqualTo("client");
                    assertThat(e.problems()).hasSize(7).anySatisfy(p -> assertThat(p).isEqualTo("bootstrap.servers is required"))
                            .anySatisfy(p -> assertThat(p).isEqualTo("schema.registry.url is required"))
                            .anySatisfy(p -> assertThat(p).startsWith("department.id 'A B' is invalid: "))
                            .anySatisfy(p -> assertThat(p).contains("sasl.mechanism 'GSSAPI' is invalid"))
                            .anySatisfy(p -> assertThat(p).contains("request.timeout.ms"))
                            .anySatisfy(p -> assertThat(p).isEqualTo("sasl.username is required with security.protocol=SASL_SSL"))
                            .anySatisfy(p -> assertThat(p).isEqualTo("sasl.password is required with security.protocol=SASL_SSL"));
                })
                .hasMessageStartingWith("7 problems in client config: ");
    }

    @Test
    void serdeKeysInTheSameFileAreCheckedInTheSameReport() {
        Map<String, Object> props = valid();
        props.remove("bootstrap.servers");
        props.put("use.latest.version", "true");
        props.put("value.subject.name.strategy", "NoSuchStrategy");

        assertThatThrownBy(() -> DatabusClientConfig.fromMap(props))
                .isInstanceOfSatisfying(DatabusConfigException.class, e -> assertThat(e.problems()).hasSize(3))
                .hasMessageContaining("bootstrap.servers is required")
                .hasMessageContaining("use.latest.version=true needs auto.register.schemas=false")
                .hasMessageContaining("NoSuchStrategy");
    }

    @Test
    void plaintextDefaultsGiveMinimalKafkaProperties() {
        DatabusClientConfig config = DatabusClientConfig.fromMap(valid());

        assertThat(config.departmentId()).isEqualTo("psb");
        assertThat(config.kafkaProperties()).containsEntry("bootstrap.servers", "bus-1:9092,bus-2:9092")
                .containsEntry("security.protocol", "PLAINTEXT")
                .containsEntry("client.id", "psb")
                .doesNotContainKey("sasl.jaas.config");
        assertThat(config.producerProperties()).containsEntry("acks", "all").containsEntry("enable.idempotence", true);
        assertThat(config.consumerProperties("deliveries")).containsEntry("group.id", "psb.deliveries")
                .containsEntry("isolation.level", "read_committed");
        assertThat(config.serdeConfig()).containsEntry("schema.registry.url", "http://bus-1:8081");
    }

    @Test
    void saslCredentialsBecomeAJaasConfigThatIsNeverPrinted() {
        Map<String, Object> props = valid();
        props.put("security.protocol", "SASL_PLAINTEXT");
        props.put("sasl.username", "psb");
        props.put("sasl.password", "pa\"ss-word-42");

        DatabusClientConfig config = DatabusClientConfig.fromMap(props);
        Map<String, Object> kafka = config.kafkaProperties();

        assertThat(kafka).containsEntry("sasl.mechanism", "SCRAM-SHA-512");
        assertThat(kafka.get("sasl.jaas.config")).isInstanceOfSatisfying(Password.class, p -> assertThat(p.value())
                .isEqualTo("org.apache.kafka.common.security.scram.ScramLoginModule required username=\"psb\" password=\"pa\\\"ss-word-42\";"));
        assertThat(kafka.toString()).doesNotContain("ss-word-42");
        assertThat(config.toString()).doesNotContain("ss-word-42").contains("psb");
    }

    @Test
    void loadsAPropertiesFileAndPassesSerdeKeysOn(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("psb.properties");
        Files.writeString(file, """
                bootstrap.servers=localhost:9092
                schema.registry.url=http://localhost:8081
                department.id=psb
                auto.register.schemas=false
                basic.auth.user.info=psb:secret
                """);

        DatabusClientConfig config = DatabusClientConfig.load(file);

        assertThat(config.serdeConfig()).containsEntry("auto.register.schemas", "false")
                .containsEntry("basic.auth.user.info", "psb:secret")
                .doesNotContainKey("bootstrap.servers");
        assertThatThrownBy(() -> DatabusClientConfig.load(dir.resolve("missing.properties")))
                .isInstanceOf(DatabusConfigException.class).hasMessageContaining("missing.properties");
    }

    @Test
    void sslStoresMustBeUsable(@TempDir Path dir) {
        Map<String, Object> props = valid();
        props.put("security.protocol", "SSL");
        props.put("ssl.truststore.location", dir.resolve("nope.p12").toString());
        props.put("ssl.keystore.location", dir.resolve("psb.p12").toString());

        assertThatThrownBy(() -> DatabusClientConfig.fromMap(props))
                .hasMessageStartingWith("2 problems in client config")
                .hasMessageContaining("ssl.keystore.password is required with ssl.keystore.location")
                .hasMessageContaining("nope.p12' is not a readable file");
    }
}
