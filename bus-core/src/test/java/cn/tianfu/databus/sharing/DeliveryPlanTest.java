package cn.tianfu.databus.sharing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

class DeliveryPlanTest {

    private static final Schema SCHEMA = Population.SCHEMA;

    @Test
    void projectsAndMasksForAGrant() {
        DeliveryPlan plan = DeliveryPlan.build(SCHEMA, "civil-affairs",
                Optional.of(List.of("idNumber", "name", "phone", "divisionCode")), Set.of());

        GenericRecord out = plan.apply(Population.zhangSan());

        assertThat(out.getSchema().getFields()).extracting(Schema.Field::name)
                .containsExactly("idNumber", "name", "phone", "divisionCode");
        assertThat(out.get("idNumber")).hasToString("510104********1234");
        assertThat(out.get("name")).hasToString("张*");
        assertThat(out.get("phone")).hasToString("138****5678");
        assertThat(out.get("divisionCode")).hasToString("510104");
    }

    @Test
    void deliverySchemaIsNamedForTheConsumerAndKeepsTypesDocsAndProps() {
        DeliveryPlan plan = DeliveryPlan.build(SCHEMA, "civil-affairs",
                Optional.of(List.of("phone", "idNumber", "updatedAt")), Set.of("phone"));
        Schema delivery = plan.deliverySchema();

        assertThat(delivery.getName()).isEqualTo("PopulationDelivery");
        assertThat(delivery.getNamespace()).isEqualTo("cn.tianfu.databus.delivery.civil_affairs");
        assertThat(delivery.getDoc()).isEqualTo(SCHEMA.getDoc());
        // source order, whatever the grant's order
        assertThat(delivery.getFields()).extracting(Schema.Field::name)
                .containsExactly("idNumber", "phone", "updatedAt");
        Schema.Field id = delivery.getField("idNumber");
        assertThat(id.schema()).isEqualTo(SCHEMA.getField("idNumber").schema());
        assertThat(id.doc()).isEqualTo("Resident ID number");
        assertThat(id.getProp("sensitivity")).isEqualTo("PERSONAL");
        assertThat(id.getProp("mask")).isEqualTo("ID_NUMBER");
        assertThat(delivery.getField("phone").getProp("mask")).as("granted in clear").isEqualTo("NONE");
        assertThat(delivery.getField("updatedAt").schema()).isEqualTo(SCHEMA.getField("updatedAt").schema());
        assertThat(delivery.getField("updatedAt").hasDefaultValue()).isTrue();
        assertThat(plan.appliedMasks()).containsEntry("idNumber", MaskRule.ID_NUMBER)
                .containsEntry("phone", MaskRule.NONE).containsEntry("updatedAt", MaskRule.NONE);
        // the delivery schema parses back as a valid schema
        assertThat(new Schema.Parser().parse(delivery.toString())).isEqualTo(delivery);
    }

    @Test
    void clearFieldsAreDeliveredUnmasked() {
        DeliveryPlan plan = DeliveryPlan.build(SCHEMA, "health", Optional.empty(), Set.of("name", "phone"));
        GenericRecord out = plan.apply(Population.zhangSan());

        assertThat(out.get("name")).hasToString("张三");
        assertThat(out.get("phone")).hasToString("13812345678");
        assertThat(out.get("idNumber")).hasToString("510104********1234");
        assertThat(out.get("householdAddress")).hasToString("*".repeat(14));
        assertThat(out.get("birthDate")).as("FULL mask on a nullable non-string").isNull();
        assertThat(out.get("gender")).hasToString("M");
        assertThat(out.get("updatedAt")).isEqualTo(Population.zhangSan().get("updatedAt"));
    }

    @Test
    void nullValuesStayNull() {
        DeliveryPlan plan = DeliveryPlan.build(SCHEMA, "health", Optional.empty(), Set.of());
        GenericRecord out = plan.apply(Population.record("510104199001011234", null, null, null, null, null,
                null, null));
        for (Schema.Field f : plan.deliverySchema().getFields()) {
            if (!f.name().equals("idNumber")) {
                assertThat(out.get(f.name())).as(f.name()).isNull();
            }
        }
        assertThat(GenericData.get().validate(plan.deliverySchema(), out)).isTrue();
    }

    @Test
    void withheldFieldsNeverReachTheSerializedRecord() throws IOException {
        DeliveryPlan plan = DeliveryPlan.build(SCHEMA, "statistics",
                Optional.of(List.of("idNumber", "gender", "divisionCode")), Set.of());
        GenericRecord source = Population.zhangSan();

        byte[] bytes = serialize(plan.apply(source), plan.deliverySchema());

        for (String withheld : List.of("张三", "13812345678", "四川省成都市锦江区春熙路1号", "510104199001011234")) {
            assertThat(indexOf(bytes, withheld.getBytes(StandardCharsets.UTF_8))).as(withheld).isEqualTo(-1);
        }
        assertThat(indexOf(bytes, "510104********1234".getBytes(StandardCharsets.UTF_8))).isNotNegative();
        // and the bytes are a record of the delivery schema and nothing else
        GenericRecord back = new GenericDatumReader<GenericRecord>(plan.deliverySchema())
                .read(null, DecoderFactory.get().binaryDecoder(bytes, null));
        assertThat(back.get("gender")).hasToString("M");
        assertThat(back.getSchema().getFields()).hasSize(3);
        // the unmasked source, serialized, does contain them: the check above can fail
        byte[] sourceBytes = serialize(source, SCHEMA);
        assertThat(indexOf(sourceBytes, "13812345678".getBytes(StandardCharsets.UTF_8))).isNotNegative();
    }

    @Test
    void keyFieldsMustBeProjected() {
        assertThatThrownBy(() -> DeliveryPlan.build(SCHEMA, "health",
                Optional.of(List.of("name", "divisionCode")), Set.of()))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("key field(s) [idNumber] must be included");
    }

    @Test
    void unknownFieldsAreNamedAllAtOnce() {
        assertThatThrownBy(() -> DeliveryPlan.build(SCHEMA, "health",
                Optional.of(List.of("idNumber", "salary", "email")), Set.of("religion", "divisionCode")))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("unknown field(s) [email, salary] in the projection")
                .hasMessageContaining("unknown field(s) [religion] listed in clear")
                .hasMessageContaining("[divisionCode] listed in clear are not in the projection");
    }

    @Test
    void masksThatDoNotFitTheTypeAreRefusedAtPlanTime() {
        Schema s = SchemaBuilder.record("Licence").namespace("cn.tianfu.databus.resources").fields()
                .name("licenceNo").type().stringType().noDefault()
                .name("issuedOn").prop("mask", "FULL").type().intType().noDefault()
                .name("score").prop("mask", "PHONE").type().optional().intType()
                .name("holder").prop("sensitivity", "personal").type().optional().stringType()
                .endRecord();
        assertThatThrownBy(() -> DeliveryPlan.build(s, "market", Optional.empty(), Set.of()))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("'issuedOn' is not a string and not nullable")
                .hasMessageContaining("'score' declares mask PHONE but is not a string");
        // granting them in clear removes the problem; a personal field with no mask is fully masked
        DeliveryPlan plan = DeliveryPlan.build(s, "market", Optional.empty(), Set.of("issuedOn", "score"));
        assertThat(plan.appliedMasks()).containsEntry("holder", MaskRule.FULL);
    }

    @Test
    void refusesBadConsumerIdsAndRecordsOfAnotherSchema() {
        assertThatThrownBy(() -> DeliveryPlan.build(SCHEMA, "Civil Affairs", Optional.empty(), Set.of()))
                .isInstanceOf(PolicyException.class).hasMessageContaining("Civil Affairs");
        DeliveryPlan plan = DeliveryPlan.build(SCHEMA, "health", Optional.empty(), Set.of());
        GenericRecord other = new GenericData.Record(SchemaBuilder.record("Other").fields()
                .requiredString("idNumber").endRecord());
        assertThatThrownBy(() -> plan.apply(other)).isInstanceOf(PolicyException.class)
                .hasMessageContaining("Other");
        // an equal schema parsed separately is accepted
        Schema copy = new Schema.Parser().parse(SCHEMA.toString());
        GenericData.Record r = new GenericData.Record(copy);
        GenericRecord z = Population.zhangSan();
        for (Schema.Field f : copy.getFields()) {
            r.put(f.pos(), z.get(f.pos()));
        }
        assertThat(plan.apply(r).get("name")).hasToString("张*");
    }

    private static byte[] serialize(GenericRecord record, Schema schema) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema).write(record, enc);
        enc.flush();
        return out.toByteArray();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
