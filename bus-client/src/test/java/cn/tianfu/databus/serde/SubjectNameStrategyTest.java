package cn.tianfu.databus.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

import cn.tianfu.databus.contract.Subjects;
import cn.tianfu.databus.registry.MockSchemaRegistryClient;
import cn.tianfu.databus.contract.Topics;

class SubjectNameStrategyTest {

    private static final String TOPIC = Topics.source("psb", "population");
    private static final Schema PERSON = SchemaBuilder.record("Person").namespace("cn.tianfu.test").fields()
            .requiredString("name").endRecord();

    /** A custom strategy, loaded by class name. */
    public static final class Fixed implements SubjectNameStrategy {
        @Override
        public String subjectName(String topic, boolean isKey, Schema schema) {
            return "fixed";
        }
    }

    @Test
    void eachStrategyNamesTheSubjectItsWay() {
        assertThat(SubjectNameStrategy.TOPIC_NAME.subjectName(TOPIC, false, PERSON)).isEqualTo("src.psb.population-value");
        assertThat(SubjectNameStrategy.TOPIC_NAME.subjectName(TOPIC, true, PERSON)).isEqualTo("src.psb.population-key");
        assertThat(SubjectNameStrategy.RECORD_NAME.subjectName(TOPIC, false, PERSON)).isEqualTo("cn.tianfu.test.Person");
        assertThat(SubjectNameStrategy.TOPIC_RECORD_NAME.subjectName(TOPIC, true, PERSON))
                .isEqualTo("src.psb.population-cn.tianfu.test.Person");
    }

    @Test
    void recordStrategiesNeedARecord() {
        assertThatThrownBy(() -> SubjectNameStrategy.RECORD_NAME.subjectName(TOPIC, true, Schema.create(Schema.Type.STRING)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TopicNameStrategy");
    }

    @Test
    void namesResolveBySimpleNameConfluentNameOrClass() {
        assertThat(SubjectNameStrategy.forName("TopicNameStrategy")).isSameAs(SubjectNameStrategy.TOPIC_NAME);
        assertThat(SubjectNameStrategy.forName("io.confluent.kafka.serializers.subject.RecordNameStrategy"))
                .isSameAs(SubjectNameStrategy.RECORD_NAME);
        assertThat(SubjectNameStrategy.forName("TopicRecordNameStrategy")).isSameAs(SubjectNameStrategy.TOPIC_RECORD_NAME);
        assertThat(SubjectNameStrategy.forName(Fixed.class.getName()).subjectName(TOPIC, false, PERSON)).isEqualTo("fixed");
        assertThatThrownBy(() -> SubjectNameStrategy.forName("com.example.Nope"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("com.example.Nope");
        assertThatThrownBy(() -> SubjectNameStrategy.forName(String.class.getName()))
                .hasMessageContaining("does not implement");
    }

    @Test
    void serializerRegistersUnderTheConfiguredStrategy() {
        var registry = new MockSchemaRegistryClient();
        GenericRecord person = new GenericRecordBuilder(PERSON).set("name", "Li Lei").build();

        var byRecord = new AvroSerializer<GenericRecord>(registry);
        byRecord.configure(Map.of(AvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY_CONFIG, "RecordNameStrategy"), false);
        byRecord.serialize(TOPIC, person);
        var byTopicRecord = new AvroSerializer<GenericRecord>(registry);
        byTopicRecord.configure(Map.of(AvroSerdeConfig.KEY_SUBJECT_NAME_STRATEGY_CONFIG, "TopicRecordNameStrategy"), true);
        byTopicRecord.serialize(TOPIC, person);
        new AvroSerializer<GenericRecord>(registry).serialize(TOPIC, person);

        assertThat(registry.subjects()).containsExactlyInAnyOrder("cn.tianfu.test.Person",
                "src.psb.population-cn.tianfu.test.Person", "src.psb.population-value");
    }

    @Test
    void theSerializersDefaultStrategyNamesTheSameSubjects() {
        assertThat(SubjectNameStrategy.TOPIC_NAME.subjectName("bus.catalog", false, null))
                .isEqualTo(Subjects.valueSubject("bus.catalog"));
        assertThat(SubjectNameStrategy.TOPIC_NAME.subjectName("bus.catalog", true, null))
                .isEqualTo(Subjects.keySubject("bus.catalog"));
    }
}
