package cn.tianfu.databus.catalog;

import static cn.tianfu.databus.catalog.ResourceDefinitionsTest.EXAMPLES;
import static cn.tianfu.databus.catalog.ResourceDefinitionsTest.example;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.LocalDate;

import cn.tianfu.databus.schemas.MaskKind;
import cn.tianfu.databus.schemas.Sensitivity;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

class AvroSchemasTest {

    @Test
    void populationSchemaHasRequiredKeysOptionalFieldsAndMaskingProps() {
        Schema s = AvroSchemas.forResource(ResourceDefinitions.parse(EXAMPLES.resolve("psb-population.yaml")));

        assertThat(s.getFullName()).isEqualTo("cn.tianfu.databus.resource.psb.Population");
        assertThat(s.getProp(AvroSchemas.RESOURCE_CODE_PROP)).isEqualTo("10101-000001");
        assertThat(s.getProp(AvroSchemas.PROVIDER_PROP)).isEqualTo("psb");
        Schema.Field id = s.getField("idNumber");
        assertThat(id.schema().getType()).isEqualTo(Schema.Type.STRING);
        assertThat(id.getObjectProp(AvroSchemas.KEY_PROP)).isEqualTo(true);
        assertThat(AvroSchemas.sensitivity(id)).isEqualTo(Sensitivity.PERSONAL);
        assertThat(AvroSchemas.mask(id)).isEqualTo(MaskKind.ID_NUMBER);
        assertThat(id.doc()).startsWith("公民身份号码");
        Schema.Field name = s.getField("name");
        assertThat(name.schema().getTypes()).extracting(Schema::getType).containsExactly(Schema.Type.NULL, Schema.Type.STRING);
        assertThat(name.hasDefaultValue()).isTrue();
        assertThat(name.defaultVal()).isEqualTo(org.apache.avro.JsonProperties.NULL_VALUE);
        assertThat(AvroSchemas.mask(name)).isEqualTo(MaskKind.NAME);
        assertThat(AvroSchemas.mask(s.getField("mobile"))).isEqualTo(MaskKind.PHONE);
        assertThat(AvroSchemas.mask(s.getField("gender"))).isEqualTo(MaskKind.NONE);
        assertThat(s.getField("birthDate").schema().getTypes().get(1).getLogicalType()).isEqualTo(LogicalTypes.date());
        assertThat(s.getField("updatedAt").schema().getTypes().get(1).getLogicalType()).isEqualTo(LogicalTypes.timestampMillis());
    }

    @Test
    void propsSurviveTheJsonARegistryStores() {
        Schema s = AvroSchemas.forResource(ResourceDefinitions.parse(EXAMPLES.resolve("psb-population.yaml")));

        Schema reparsed = new Schema.Parser().parse(s.toString());

        assertThat(reparsed).isEqualTo(s);
        assertThat(AvroSchemas.mask(reparsed.getField("idNumber"))).isEqualTo(MaskKind.ID_NUMBER);
        assertThat(reparsed.getField("idNumber").getProp(AvroSchemas.DISPLAY_NAME_PROP)).isEqualTo("公民身份号码");
    }

    @Test
    void decimalIsBytesWithPrecisionAndScaleAndARecordRoundTrips() throws IOException {
        Schema s = AvroSchemas.forResource(ResourceDefinitions.parse(EXAMPLES.resolve("amr-legal-entity.yaml")));
        Schema capital = s.getField("registeredCapital").schema().getTypes().get(1);
        assertThat(capital.getType()).isEqualTo(Schema.Type.BYTES);
        assertThat(capital.getLogicalType()).isEqualTo(LogicalTypes.decimal(18, 2));

        GenericData data = new GenericData();
        data.addLogicalTypeConversion(new Conversions.DecimalConversion());
        data.addLogicalTypeConversion(new TimeConversions.DateConversion());
        GenericRecord r = new GenericData.Record(s);
        r.put("creditCode", "91350100M000100Y43");
        r.put("entityName", "成都示例科技有限公司");
        r.put("legalRepresentative", "张三");
        r.put("registeredCapital", new BigDecimal("1000.00"));
        r.put("establishedDate", LocalDate.of(2015, 6, 1));
        var out = new ByteArrayOutputStream();
        var enc = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(s, data).write(r, enc);
        enc.flush();
        GenericRecord back = new GenericDatumReader<GenericRecord>(s, s, data)
                .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));

        assertThat(back.get("registeredCapital")).isEqualTo(new BigDecimal("1000.00"));
        assertThat(back.get("establishedDate")).isEqualTo(LocalDate.of(2015, 6, 1));
        assertThat(back.get("address")).isNull();
    }

    @Test
    void recordNameAndNamespaceAreDerivedWhenNotGiven() throws IOException {
        String yaml = example("psb-population.yaml").replace("recordName: Population\n", "").replace("provider: psb", "provider: city-psb");

        Schema s = AvroSchemas.forResource(ResourceDefinitions.parse(yaml, "p.yaml"));

        assertThat(s.getFullName()).isEqualTo("cn.tianfu.databus.resource.city_psb.R10101_000001");
    }

    @Test
    void aReferencedSchemaKeepsItsNamesTypesAndDocsAndGainsTheProps() throws IOException {
        ResourceDefinition def = ResourceDefinitions.parse(EXAMPLES.resolve("hrss-social-insurance.yaml"));
        Schema original = new Schema.Parser().parse(Files.readString(EXAMPLES.resolve("hrss-social-insurance.avsc"), StandardCharsets.UTF_8));

        Schema s = AvroSchemas.forResource(def);

        assertThat(s.getFullName()).isEqualTo(original.getFullName());
        assertThat(s.getFields()).extracting(Schema.Field::name)
                .containsExactlyElementsOf(original.getFields().stream().map(Schema.Field::name).toList());
        for (Schema.Field f : original.getFields()) {
            assertThat(s.getField(f.name()).schema()).as(f.name()).isEqualTo(f.schema());
        }
        assertThat(s.getField("idNumber").doc()).isEqualTo("参保人公民身份号码");
        assertThat(s.getField("name").doc()).isEqualTo("姓名");
        assertThat(AvroSchemas.mask(s.getField("contributionBase"))).isEqualTo(MaskKind.FULL);
        assertThat(s.getField("insuranceType").getObjectProp(AvroSchemas.KEY_PROP)).isEqualTo(true);
        // readers with the original schema still read what is written with the derived one
        assertThat(org.apache.avro.SchemaCompatibility.checkReaderWriterCompatibility(original, s).getType())
                .isEqualTo(org.apache.avro.SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
    }
}
