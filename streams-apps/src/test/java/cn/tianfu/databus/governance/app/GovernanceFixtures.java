package cn.tianfu.databus.governance.app;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

import cn.tianfu.databus.schemas.Category;
import cn.tianfu.databus.schemas.DataItem;
import cn.tianfu.databus.schemas.FieldType;
import cn.tianfu.databus.schemas.GovernanceCommand;
import cn.tianfu.databus.schemas.MaskKind;
import cn.tianfu.databus.schemas.RegisterResource;
import cn.tianfu.databus.schemas.RequestAccess;
import cn.tianfu.databus.schemas.ResourceSpec;
import cn.tianfu.databus.schemas.Sensitivity;
import cn.tianfu.databus.schemas.SharingClass;
import cn.tianfu.databus.schemas.SharingMethod;
import cn.tianfu.databus.schemas.UpdateFrequency;

/** A small population resource and commands about it, shared by the unit and integration tests. */
final class GovernanceFixtures {

    static final String CONDITIONS = "only for verifying residence in an administrative procedure";
    static final String NOT_SHARED_REASON = "sealed by the Public Security Law, Art. 9";

    private GovernanceFixtures() {
    }

    static DataItem item(String name, FieldType type, Sensitivity sensitivity, MaskKind mask, boolean key) {
        return DataItem.newBuilder().setName(name).setDisplayName(name).setType(type).setSensitivity(sensitivity)
                .setMask(mask).setKey(key).build();
    }

    static List<DataItem> items() {
        return List.of(
                item("idNumber", FieldType.STRING, Sensitivity.PERSONAL, MaskKind.ID_NUMBER, true),
                item("name", FieldType.STRING, Sensitivity.PERSONAL, MaskKind.NAME, false),
                item("divisionCode", FieldType.STRING, Sensitivity.INTERNAL, MaskKind.NONE, false),
                item("birthDate", FieldType.DATE, Sensitivity.PUBLIC, MaskKind.NONE, false));
    }

    static ResourceSpec.Builder spec(String code, SharingClass sharing) {
        return ResourceSpec.newBuilder()
                .setCode(code)
                .setClassification("101")
                .setName("人口基础信息")
                .setCategory(Category.BASIC)
                .setProviderCode("11510100MB0000000X")
                .setSummary("residents of the city")
                .setFormat("Avro")
                .setDataItems(items())
                .setSharingClass(sharing)
                .setSharingConditions(sharing == SharingClass.CONDITIONAL ? CONDITIONS : null)
                .setSharingMethod(SharingMethod.BOTH)
                .setUpdateFrequency(UpdateFrequency.DAILY)
                .setPublishDate(LocalDate.of(2026, 1, 1))
                .setReasonNotShared(sharing == SharingClass.NOT_SHARED ? NOT_SHARED_REASON : null);
    }

    /** The schema of {@link #items()}; {@code extraFields} is appended raw to the field list. */
    static String schemaJson(String extraFields) {
        return """
                {"type":"record","name":"Population","namespace":"test.governance","fields":[
                 {"name":"idNumber","type":"string","sensitivity":"PERSONAL","mask":"ID_NUMBER","key":true},
                 {"name":"name","type":["null","string"],"default":null,"sensitivity":"PERSONAL","mask":"NAME"},
                 {"name":"divisionCode","type":["null","string"],"default":null,"sensitivity":"INTERNAL","mask":"NONE"},
                 {"name":"birthDate","type":["null",{"type":"int","logicalType":"date"}],"default":null}%s
                ]}""".formatted(extraFields);
    }

    static String schemaJson() {
        return schemaJson("");
    }

    static RegisterResource register(String code, SharingClass sharing) {
        return RegisterResource.newBuilder().setSpec(spec(code, sharing).build()).setSchemaJson(schemaJson()).build();
    }

    static RequestAccess request(String code, String purpose) {
        return RequestAccess.newBuilder().setResourceCode(code).setPurpose(purpose).setMethod(SharingMethod.PUSH).build();
    }

    static GovernanceCommand command(String commandId, String department, Object payload, Instant issuedAt) {
        return GovernanceCommand.newBuilder().setCommandId(commandId).setIssuedAt(issuedAt).setDepartment(department)
                .setPayload(payload).build();
    }
}
