package cn.tianfu.databus.registry;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

import cn.tianfu.databus.testkit.SharedBus;

/** Schemas with Chinese docs and properties survive the round trip through the registry's HTTP API unchanged. */
class RegistryUnicodeIT {

    @Test
    void nonAsciiTextInASchemaIsKeptAndLookedUp() {
        Schema schema = new Schema.Parser().parse("""
                {"type": "record", "name": "Population", "namespace": "cn.tianfu.databus.resource.psb",
                 "doc": "人口基础信息", "fields": [
                   {"name": "idNumber", "type": "string", "doc": "公民身份号码", "displayName": "公民身份号码"}]}""");
        String subject = "src.unicode.10101-" + System.nanoTime() % 1_000_000 + "-value";
        try (SchemaRegistryClient writer = HttpSchemaRegistryClient.builder(SharedBus.get().registryUrl()).build();
             SchemaRegistryClient reader = HttpSchemaRegistryClient.builder(SharedBus.get().registryUrl()).build()) {
            int id = writer.register(subject, schema);
            Schema read = reader.schemaById(id);
            assertThat(read).isEqualTo(schema);
            assertThat(read.getField("idNumber").getObjectProp("displayName")).isEqualTo("公民身份号码");
            assertThat(reader.lookup(subject, read)).get().extracting(RegisteredSchema::id).isEqualTo(id);
        }
    }
}
