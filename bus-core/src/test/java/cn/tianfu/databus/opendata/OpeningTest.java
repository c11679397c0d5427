package cn.tianfu.databus.opendata;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

import org.junit.jupiter.api.Test;

import cn.tianfu.databus.catalog.CatalogEntries;
import cn.tianfu.databus.governance.rules.Decision;
import cn.tianfu.databus.governance.rules.GovernanceRules;
import cn.tianfu.databus.governance.rules.SchemaRegistration;
import cn.tianfu.databus.governance.rules.Change;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.Category;
import cn.tianfu.databus.schemas.DataItem;
import cn.tianfu.databus.schemas.FieldType;
import cn.tianfu.databus.schemas.Grant;
import cn.tianfu.databus.schemas.GrantStatus;
import cn.tianfu.databus.schemas.MaskKind;
import cn.tianfu.databus.schemas.Outcome;
import cn.tianfu.databus.schemas.RegisterResource;
import cn.tianfu.databus.schemas.ResourceSpec;
import cn.tianfu.databus.schemas.ResourceStatus;
import cn.tianfu.databus.schemas.Sensitivity;
import cn.tianfu.databus.schemas.SharingClass;
import cn.tianfu.databus.schemas.SharingMethod;
import cn.tianfu.databus.schemas.UpdateFrequency;

class OpeningTest {

    static final Instant NOW = Instant.parse("2026-12-20T02:00:00Z");
    static final String SCHEMA = """
            {"type":"record","name":"Entity","namespace":"test.open","fields":[
             {"name":"creditCode","type":"string","sensitivity":"PUBLIC","mask":"NONE","key":true},
             {"name":"entityName","type":["null","string"],"default":null},
             {"name":"legalRepresentative","type":["null","string"],"default":null,"sensitivity":"PERSONAL","mask":"NAME"},
             {"name":"inspector","type":["null","string"],"default":null,"sensitivity":"INTERNAL","mask":"NONE"}
            ]}""";

    static DataItem item(String name, String display, Sensitivity s, MaskKind mask, boolean key) {
        return DataItem.newBuilder().setName(name).setDisplayName(display).setType(FieldType.STRING).setSensitivity(s)
                .setMask(mask).setKey(key).build();
    }

    static ResourceSpec.Builder spec(List<String> openFields, String review) {
        return ResourceSpec.newBuilder().setCode("10201-000001").setClassification("10201").setName("法人基础信息")
                .setCategory(Category.BASIC).setProviderCode("11510100MB1D22617A").setSummary("s").setFormat("Avro")
                .setDataItems(List.of(item("creditCode", "统一社会信用代码", Sensitivity.PUBLIC, MaskKind.NONE, true),
                        item("entityName", "名称", Sensitivity.PUBLIC, MaskKind.NONE, false),
                        item("legalRepresentative", "法定代表人", Sensitivity.PERSONAL, MaskKind.NAME, false),
                        item("inspector", "检查员", Sensitivity.INTERNAL, MaskKind.NONE, false)))
                .setSharingClass(SharingClass.UNCONDITIONAL).setSharingMethod(SharingMethod.BOTH)
                .setUpdateFrequency(UpdateFrequency.DAILY).setPublishDate(LocalDate.of(2026, 3, 1))
                .setOpen(true).setOpenFields(openFields).setConfidentialityStatement(review);
    }

    @Test
    void personalAndInternalItemsAreNeverOpened() {
        assertThat(Opening.refusals(spec(null, "reviewed").build())).containsExactly(
                "item 'legalRepresentative' (法定代表人) is PERSONAL: personal information is never opened to the public"
                        + " (Art. 40); leave it out of open.fields",
                "item 'inspector' (检查员) is INTERNAL: only PUBLIC items are opened; leave it out of open.fields");
    }

    @Test
    void theKeyUnknownFieldsAndTheReviewAreChecked() {
        assertThat(Opening.refusals(spec(List.of("entityName", "shoeSize"), " ").build())).containsExactly(
                "open field 'shoeSize' is not a data item of the resource",
                "key item 'creditCode' (统一社会信用代码) must be among the open fields: an open record is identified by its key",
                "opening a resource needs the provider's confidentiality review (保密审查, Art. 40): give its statement"
                        + " (confidentialityStatement; open.review in a definition file)");
        assertThat(Opening.refusals(spec(List.of("creditCode"), "ok").setSharingClass(SharingClass.NOT_SHARED).build()))
                .containsExactly("a NOT_SHARED resource is not opened to the public");
        assertThat(Opening.refusals(spec(null, null).setOpen(false).build())).isEmpty();
    }

    @Test
    void governanceRefusesAnOpeningOfPersonalItems() {
        RegisterResource r = RegisterResource.newBuilder().setSpec(spec(List.of("creditCode", "legalRepresentative"), "ok")
                .build()).setSchemaJson(SCHEMA).build();
        Decision d = GovernanceRules.register("amr", r, null, NOW);
        assertThat(d).isInstanceOf(Decision.Refused.class);
        assertThat(((Decision.Refused) d).answer().outcome()).isEqualTo(Outcome.REFUSED);
        assertThat(((Decision.Refused) d).answer().message()).startsWith("resource 10201-000001 was not registered: it"
                + " cannot be opened to the public as declared: item 'legalRepresentative' (法定代表人) is PERSONAL");
    }

    @Test
    void anOpenedEntryRecordsTheReviewAndImpliesAnOpenGrant() {
        RegisterResource r = RegisterResource.newBuilder().setSpec(spec(List.of("entityName", "creditCode"),
                "经保密审查，可以开放").build()).setSchemaJson(SCHEMA).build();
        Decision.ProvisionResource p = (Decision.ProvisionResource) GovernanceRules.register("amr", r, null, NOW);
        Decision.Accepted a = (Decision.Accepted) p.then().apply(new SchemaRegistration.Registered(7, 1));
        CatalogEntry entry = ((Change.CatalogState) a.changes().get(0)).entry();
        assertThat(a.answer().message()).endsWith("; opened to the public (fields creditCode, entityName) on"
                + " open.10201-000001, confidentiality review by User:amr recorded");
        assertThat(entry.getOpenFields()).containsExactly("creditCode", "entityName");
        assertThat(entry.getConfidentialityReview().getReviewedBy()).isEqualTo("User:amr");
        assertThat(entry.getConfidentialityReview().getReviewedAt()).isEqualTo(NOW);
        assertThat(entry.getConfidentialityReview().getStatement()).isEqualTo("经保密审查，可以开放");
        assertThat(Opening.isOpen(entry)).isTrue();

        Grant g = OpenGrants.of(entry).orElseThrow();
        assertThat(g.getGrantId()).isEqualTo("10201-000001.O1");
        assertThat(g.getConsumer()).isEqualTo(OpenGrants.PUBLIC);
        assertThat(g.getAllowedFields()).containsExactly("creditCode", "entityName");
        assertThat(g.getClearFields()).isEmpty();
        assertThat(g.getRowFilter()).isNull();
        assertThat(g.getStatus()).isEqualTo(GrantStatus.ACTIVE);
        assertThat(OpenGrants.isOpen(g)).isTrue();
        assertThat(OpenGrants.resourceOf("10201-000001.O1")).contains("10201-000001");
        assertThat(OpenGrants.resourceOf("10201-000001.G1")).isEmpty();

        CatalogEntry retired = CatalogEntry.newBuilder(entry).setStatus(ResourceStatus.RETIRED).build();
        assertThat(OpenGrants.of(retired)).isEmpty();
        CatalogEntry closed = Opening.reviewed(entry, spec(null, null).setOpen(false).build(), "amr", NOW);
        assertThat(closed.getOpenFields()).isNull();
        assertThat(OpenGrants.of(closed)).isEmpty();
        // an entry written without governance's review (no open fields) is not open
        assertThat(Opening.isOpen(CatalogEntries.toCatalogEntry(spec(List.of("creditCode"), "x").build(), "amr",
                "s", 1, 1, 1, NOW))).isFalse();
    }
}
