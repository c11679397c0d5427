package cn.tianfu.databus.catalog;

import static cn.tianfu.databus.catalog.ResourceDefinitionsTest.EXAMPLES;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;

import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.DataItem;
import cn.tianfu.databus.schemas.FieldType;
import cn.tianfu.databus.schemas.RegisterResource;
import cn.tianfu.databus.schemas.ResourceSpec;
import cn.tianfu.databus.schemas.ResourceStatus;
import cn.tianfu.databus.schemas.SharingClass;
import org.apache.avro.Schema;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

class CatalogEntriesTest {

    @Test
    void specCarriesEveryCatalogFieldOfTheDefinition() {
        ResourceDefinition def = ResourceDefinitions.parse(EXAMPLES.resolve("mca-marriage.yaml"));

        ResourceSpec spec = CatalogEntries.toSpec(def);

        assertThat(spec.getCode()).isEqualTo(def.code());
        assertThat(spec.getClassification()).isEqualTo(def.classification());
        assertThat(spec.getName()).isEqualTo("婚姻登记信息");
        assertThat(spec.getSharingClass()).isEqualTo(SharingClass.NOT_SHARED);
        assertThat(spec.getReasonNotShared()).isEqualTo(def.reasonNotShared().orElseThrow()).contains("个人信息保护法");
        assertThat(spec.getSharingConditions()).isNull();
        assertThat(spec.getPublishDate()).isEqualTo(def.publishDate());
        assertThat(spec.getRelatedResources()).containsExactlyElementsOf(def.relatedResources());
        assertThat(spec.getDataItems()).extracting(DataItem::getName)
                .containsExactlyElementsOf(def.items().stream().map(ResourceDefinition.Item::name).toList());
    }

    @Test
    void decimalItemsKeepPrecisionAndScaleOthersHaveNone() {
        ResourceSpec spec = CatalogEntries.toSpec(ResourceDefinitions.parse(EXAMPLES.resolve("amr-legal-entity.yaml")));

        DataItem capital = spec.getDataItems().stream().filter(i -> i.getType() == FieldType.DECIMAL).findFirst().orElseThrow();
        assertThat(capital.getPrecision()).isEqualTo(18);
        assertThat(capital.getScale()).isEqualTo(2);
        assertThat(spec.getDataItems().get(0).getPrecision()).isNull();
        assertThat(spec.getDataItems().get(0).getKey()).isTrue();
    }

    @Test
    void registerCommandCarriesTheDerivedSchema() {
        ResourceDefinition def = ResourceDefinitions.parse(EXAMPLES.resolve("psb-population.yaml"));

        RegisterResource command = CatalogEntries.registerCommand(def);

        assertThat(new Schema.Parser().parse(command.getSchemaJson())).isEqualTo(AvroSchemas.forResource(def));
        assertThat(command.getSpec()).isEqualTo(CatalogEntries.toSpec(def));
    }

    @Test
    void catalogEntryIsActiveWithItsSchemaAndRoundTripsThroughAvro() throws IOException {
        ResourceDefinition def = ResourceDefinitions.parse(EXAMPLES.resolve("hrss-social-insurance.yaml"));
        Instant now = Instant.parse("2026-04-15T01:00:00Z");

        CatalogEntry entry = CatalogEntries.toCatalogEntry(def, "src.hrss.20201-000003-value", 11, 1, 1, now);

        assertThat(entry.getProvider()).isEqualTo("hrss");
        assertThat(entry.getStatus()).isEqualTo(ResourceStatus.ACTIVE);
        assertThat(entry.getSchemaId()).isEqualTo(11);
        assertThat(entry.getCatalogVersion()).isEqualTo(1);
        assertThat(entry.getLastChanged()).isEqualTo(now);
        assertThat(entry.getSharingConditions()).isEqualTo(def.sharingConditions().orElseThrow());

        var out = new ByteArrayOutputStream();
        var enc = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<>(CatalogEntry.class).write(entry, enc);
        enc.flush();
        CatalogEntry back = new SpecificDatumReader<>(CatalogEntry.class).read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
        assertThat(back).isEqualTo(entry);
    }
}
