package cn.tianfu.databus.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

import cn.tianfu.databus.catalog.AvroSchemas;
import cn.tianfu.databus.catalog.ResourceDefinitions;
import cn.tianfu.databus.quality.IdentityCodes;

class SampleDataTest {

    private static Schema schema(String file) {
        return AvroSchemas.forResource(ResourceDefinitions.parse(Path.of("..", "examples", "resources", file)));
    }

    @Test
    void residentsHaveValidIdNumbersMatchingDivisionBirthDateAndGender() throws Exception {
        Schema population = schema("psb-population.yaml");
        List<GenericRecord> residents = new SampleData(7).residents(population, 200, Instant.parse("2026-11-01T00:00:00Z"));
        for (GenericRecord r : residents) {
            String id = r.get("idNumber").toString();
            assertThat(IdentityCodes.isValidIdNumber(id)).as(id).isTrue();
            assertThat(id).startsWith(r.get("divisionCode").toString());
            int sequenceDigit = id.charAt(16) - '0';
            assertThat(r.get("gender")).isEqualTo(sequenceDigit % 2 == 1 ? "1" : "2");
            assertThat(r.get("mobile").toString()).hasSize(11).startsWith("1");
            encode(r); // every value matches the schema
        }
        assertThat(residents.stream().map(r -> r.get("divisionCode")).distinct().count()).isGreaterThan(5);
    }

    @Test
    void legalEntitiesHaveValidCreditCodesAndEncode() throws Exception {
        Schema entity = schema("amr-legal-entity.yaml");
        SampleData data = new SampleData(11);
        for (int i = 0; i < 100; i++) {
            GenericRecord r = data.legalEntity(entity);
            assertThat(IdentityCodes.isValidCreditCode(r.get("creditCode").toString())).isTrue();
            assertThat(r.get("creditCode").toString().substring(2, 8)).isEqualTo(r.get("divisionCode"));
            encode(r);
        }
    }

    @Test
    void theSameSeedGivesTheSameData() {
        Schema population = schema("psb-population.yaml");
        Instant t = Instant.parse("2026-11-01T00:00:00Z");
        assertThat(new SampleData(3).residents(population, 5, t)).isEqualTo(new SampleData(3).residents(population, 5, t));
    }

    private static void encode(GenericRecord r) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        var encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(r.getSchema()).write(r, encoder);
        encoder.flush();
        assertThat(out.size()).isPositive();
    }
}
