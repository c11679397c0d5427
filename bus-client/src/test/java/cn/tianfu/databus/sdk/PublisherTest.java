package cn.tianfu.databus.sdk;

import cn.tianfu.databus.contract.EventHeaders;
import cn.tianfu.databus.kafka.KafkaHeaders;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import cn.tianfu.databus.registry.MockSchemaRegistryClient;
import cn.tianfu.databus.serde.AvroDeserializer;

class PublisherTest {

    private static final Schema V1 = new Schema.Parser().parse("""
            {"type":"record","name":"Permit","fields":[{"name":"number","type":"string"}]}""");
    private static final Schema V2 = new Schema.Parser().parse("""
            {"type":"record","name":"Permit","fields":[{"name":"number","type":"string"},
             {"name":"note","type":["null","string"],"default":null}]}""");

    private final MockSchemaRegistryClient registry = new MockSchemaRegistryClient();
    private final MockProducer<String, byte[]> producer =
            new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    private final Publisher publisher = Publisher.create("aic", "20101-000007", producer, registry);

    private static GenericRecord permit(Schema schema, String number) {
        GenericRecord r = new GenericData.Record(schema);
        r.put("number", number);
        return r;
    }

    @Test
    void refusesARecordBeforeTheResourceHasASchema() {
        assertThatThrownBy(() -> publisher.upsert("P-1", permit(V1, "P-1")))
                .isInstanceOf(SchemaMismatchException.class)
                .hasMessageContaining("src.aic.20101-000007-value");
        assertThat(producer.history()).isEmpty();
    }

    @Test
    void sendsRecordsOfTheCataloguedSchemaWithHeaders() throws Exception {
        int id = registry.register("src.aic.20101-000007-value", V1);
        publisher.upsert("P-1", permit(V1, "P-1"), Instant.ofEpochMilli(1234)).get();

        ProducerRecord<String, byte[]> sent = producer.history().get(0);
        assertThat(sent.topic()).isEqualTo("src.aic.20101-000007");
        assertThat(sent.key()).isEqualTo("P-1");
        assertThat(((sent.value()[1] & 0xff) << 24) | ((sent.value()[2] & 0xff) << 16)
                | ((sent.value()[3] & 0xff) << 8) | (sent.value()[4] & 0xff)).isEqualTo(id);
        GenericRecord back = new AvroDeserializer<GenericRecord>(registry).deserialize(sent.topic(), sent.value());
        assertThat(back.get("number").toString()).isEqualTo("P-1");
        assertThat(KafkaHeaders.text(sent.headers(), EventHeaders.OP)).contains("UPSERT");
        assertThat(KafkaHeaders.text(sent.headers(), EventHeaders.SOURCE_TIME)).contains("1234");
        assertThat(KafkaHeaders.text(sent.headers(), EventHeaders.EVENT_ID).orElseThrow())
                .matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    }

    @Test
    void refusesAnOlderOrOtherSchemaWithoutSending() {
        registry.register("src.aic.20101-000007-value", V1);
        registry.register("src.aic.20101-000007-value", V2);
        assertThatThrownBy(() -> publisher.upsert("P-1", permit(V1, "P-1")))
                .isInstanceOf(SchemaMismatchException.class)
                .hasMessageContaining("version 2");
        assertThat(producer.history()).isEmpty();
        publisher.upsert("P-1", permit(V2, "P-1"));
        assertThat(producer.history()).hasSize(1);
    }

    @Test
    void aSchemaCheckedOnceStillLetsNoOtherSchemaThrough() {
        registry.register("src.aic.20101-000007-value", V1);
        Schema sameContent = new Schema.Parser().parse(V1.toString());
        Schema other = new Schema.Parser().parse("""
                {"type":"record","name":"Permit","fields":[{"name":"number","type":"string","doc":"changed"},
                 {"name":"extra","type":["null","string"],"default":null}]}""");
        publisher.upsert("P-1", permit(V1, "P-1"));
        publisher.upsert("P-2", permit(V1, "P-2"));
        assertThatThrownBy(() -> publisher.upsert("P-3", permit(other, "P-3"))).isInstanceOf(SchemaMismatchException.class);
        publisher.upsert("P-4", permit(sameContent, "P-4"));
        assertThatThrownBy(() -> publisher.upsert("P-5", permit(other, "P-5"))).isInstanceOf(SchemaMismatchException.class);
        publisher.upsert("P-6", permit(V1, "P-6"));
        assertThat(producer.history()).extracting(ProducerRecord::key).containsExactly("P-1", "P-2", "P-4", "P-6");
    }

    @Test
    void deleteSendsATombstone() {
        publisher.delete("P-1");
        ProducerRecord<String, byte[]> sent = producer.history().get(0);
        assertThat(sent.value()).isNull();
        assertThat(KafkaHeaders.text(sent.headers(), EventHeaders.OP)).contains("DELETE");
    }

    @Test
    void compositeKeysEscapeTheSeparator() {
        assertThat(Publisher.compositeKey("510104", "a|b", "c\\d")).isEqualTo("510104|a\\|b|c\\\\d");
        assertThatThrownBy(() -> Publisher.compositeKey("a", null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> publisher.upsert("", permit(V1, "x"))).isInstanceOf(IllegalArgumentException.class);
    }
}
