package cn.tianfu.databus.sharing.app;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.ledger.SigningKeys;
import cn.tianfu.databus.ledger.app.LedgerContext;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.Category;
import cn.tianfu.databus.schemas.Grant;
import cn.tianfu.databus.schemas.GrantStatus;
import cn.tianfu.databus.schemas.ResourceStatus;
import cn.tianfu.databus.schemas.SharingClass;
import cn.tianfu.databus.schemas.SharingMethod;
import cn.tianfu.databus.schemas.UpdateFrequency;

/** A population-like resource, its catalog entry and grants, for the router's tests. */
final class Fixtures {

    /**
     * The router's exchange log on the bus's topics with {@code logPartitions} partitions, the defaults' cadence
     * (a checkpoint every 1000 entries or 10 s, a heartbeat every minute, ids kept 7 days), a fresh signing key.
     */
    static LedgerContext ledger(SchemaRegistryClient registry, int logPartitions) {
        return new LedgerContext(SigningKeys.generate(), registry, Topics.EXCHANGE_LOG_STAGING, Topics.EXCHANGE_LOG,
                Topics.EXCHANGE_LOG_CHECKPOINTS, logPartitions, 1000, Duration.ofSeconds(10), Duration.ofDays(7),
                Duration.ofMinutes(1));
    }

    static final Schema POPULATION = new Schema.Parser().parse("""
            {"type": "record", "name": "Resident", "namespace": "cn.tianfu.databus.resources.test",
             "fields": [
               {"name": "idNumber", "type": "string", "sensitivity": "PERSONAL", "mask": "ID_NUMBER"},
               {"name": "name", "type": ["null", "string"], "default": null, "sensitivity": "PERSONAL", "mask": "NAME"},
               {"name": "phone", "type": ["null", "string"], "default": null, "sensitivity": "PERSONAL", "mask": "PHONE"},
               {"name": "householdAddress", "type": ["null", "string"], "default": null, "sensitivity": "PERSONAL", "mask": "FULL"},
               {"name": "divisionCode", "type": ["null", "string"], "default": null, "sensitivity": "PUBLIC", "mask": "NONE"}
             ]}""");

    private Fixtures() {
    }

    static GenericRecord resident(String id, String name, String phone, String address, String division) {
        GenericRecord r = new GenericData.Record(POPULATION);
        r.put("idNumber", id);
        r.put("name", name);
        r.put("phone", phone);
        r.put("householdAddress", address);
        r.put("divisionCode", division);
        return r;
    }

    static CatalogEntry entry(String code, String provider, SharingClass sharingClass, int schemaId) {
        return CatalogEntry.newBuilder()
                .setCode(code)
                .setClassification(code.substring(0, code.indexOf('-')))
                .setName("Residents " + code)
                .setCategory(Category.BASIC)
                .setProvider(provider)
                .setProviderCode("11510100MB0000000X")
                .setSummary("registered residents")
                .setFormat("avro")
                .setDataItems(List.of())
                .setSharingClass(sharingClass)
                .setSharingConditions(sharingClass == SharingClass.CONDITIONAL ? "approval" : null)
                .setSharingMethod(SharingMethod.BOTH)
                .setUpdateFrequency(UpdateFrequency.REAL_TIME)
                .setPublishDate(LocalDate.of(2024, 1, 1))
                .setReasonNotShared(sharingClass == SharingClass.NOT_SHARED ? "state secret" : null)
                .setSchemaSubject("src." + provider + "." + code + "-value")
                .setSchemaId(schemaId)
                .setSchemaVersion(1)
                .setCatalogVersion(1)
                .setStatus(ResourceStatus.ACTIVE)
                .setLastChanged(Instant.parse("2024-01-01T00:00:00Z"))
                .build();
    }

    static Grant.Builder grant(String grantId, String code, String provider, String consumer) {
        return Grant.newBuilder()
                .setGrantId(grantId)
                .setRequestId("req-" + grantId)
                .setResourceCode(code)
                .setProvider(provider)
                .setConsumer(consumer)
                .setPurpose("social assistance eligibility checks")
                .setMethod(SharingMethod.PUSH)
                .setAllowedFields(null)
                .setClearFields(List.of())
                .setRowFilter(null)
                .setValidFrom(Instant.parse("2024-01-01T00:00:00Z"))
                .setValidUntil(null)
                .setStatus(GrantStatus.ACTIVE)
                .setCreatedAt(Instant.parse("2024-01-01T00:00:00Z"));
    }
}
