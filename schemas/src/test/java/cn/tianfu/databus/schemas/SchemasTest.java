package cn.tianfu.databus.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.avro.Schema;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.avro.util.ClassSecurityValidator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SchemasTest {

    private static final Instant T0 = Instant.parse("2026-09-18T02:15:30.123Z");

    static Stream<SpecificRecordBase> samples() {
        DataItem id = DataItem.newBuilder().setName("idNumber").setDisplayName("公民身份号码").setType(FieldType.STRING)
                .setDescription("GB 11643").setSensitivity(Sensitivity.PERSONAL).setMask(MaskKind.ID_NUMBER).setKey(true).build();
        DataItem capital = DataItem.newBuilder().setName("registeredCapital").setDisplayName("注册资本").setType(FieldType.DECIMAL)
                .setPrecision(18).setScale(2).setSensitivity(Sensitivity.PUBLIC).setMask(MaskKind.NONE).build();
        ResourceSpec spec = ResourceSpec.newBuilder().setCode("101-000001").setClassification("101").setName("人口基础信息")
                .setCategory(Category.BASIC).setProviderCode("11510100MB0000000X").setSummary("户籍人口基础信息")
                .setFormat("数据库/Avro").setDataItems(List.of(id, capital)).setSharingClass(SharingClass.CONDITIONAL)
                .setSharingConditions("仅限履行法定职责需要").setSharingMethod(SharingMethod.BOTH)
                .setUpdateFrequency(UpdateFrequency.REAL_TIME).setPublishDate(LocalDate.of(2026, 3, 1))
                .setRelatedResources(List.of("102-000001")).build();
        CatalogEntry entry = CatalogEntry.newBuilder().setCode(spec.getCode()).setClassification(spec.getClassification())
                .setName(spec.getName()).setCategory(spec.getCategory()).setProvider("psb").setProviderCode(spec.getProviderCode())
                .setSummary(spec.getSummary()).setFormat(spec.getFormat()).setDataItems(spec.getDataItems())
                .setSharingClass(spec.getSharingClass()).setSharingConditions(spec.getSharingConditions())
                .setSharingMethod(spec.getSharingMethod()).setUpdateFrequency(spec.getUpdateFrequency())
                .setPublishDate(spec.getPublishDate()).setSchemaSubject("src.psb.101-000001-value").setSchemaId(7)
                .setSchemaVersion(2).setCatalogVersion(3).setStatus(ResourceStatus.ACTIVE).setLastChanged(T0).build();
        List<SpecificRecordBase> samples = new ArrayList<>();
        samples.add(id);
        samples.add(spec);
        samples.add(entry);
        List<Object> payloads = List.of(
                RegisterResource.newBuilder().setSpec(spec).setSchemaJson("{\"type\":\"record\",\"name\":\"P\",\"fields\":[]}").build(),
                UpdateResource.newBuilder().setSpec(spec).setReason("职能调整").build(),
                RetireResource.newBuilder().setCode("101-000001").setReason("并入新资源").build(),
                RequestAccess.newBuilder().setResourceCode("101-000001").setPurpose("社会救助资格核验")
                        .setRequestedFields(List.of("idNumber", "name")).setMethod(SharingMethod.SERVICE).build(),
                DecideRequest.newBuilder().setRequestId("req-1").setDecision(Decision.APPROVE).setAllowedFields(List.of("idNumber"))
                        .setRowFilter("record.divisionCode == '510104'").setValidFrom(T0)
                        .setValidUntil(T0.plus(365, ChronoUnit.DAYS)).setClearFields(List.of("idNumber")).build(),
                WithdrawRequest.newBuilder().setRequestId("req-1").build(),
                RevokeGrant.newBuilder().setGrantId("g-1").setReason("用途已完成").build(),
                NarrowGrant.newBuilder().setGrantId("g-1").setAllowedFields(java.util.List.of("idNumber", "gender"))
                        .setRowFilter("divisionCode.startsWith('5101')").setReason("用途收窄").build());
        for (Object payload : payloads) {
            samples.add(GovernanceCommand.newBuilder().setCommandId("c-" + payload.getClass().getSimpleName())
                    .setIssuedAt(T0).setDepartment("psb").setPayload(payload).build());
        }
        samples.add(CommandResult.newBuilder().setCommandId("c-1").setDepartment("mca").setAccepted(true)
                .setOutcome(Outcome.PENDING).setMessage("awaiting psb's decision").setResourceCode("101-000001")
                .setRequestId("req-1").setProcessedAt(T0).build());
        samples.add(AccessRequest.newBuilder().setRequestId("req-1").setResourceCode("101-000001").setProvider("psb")
                .setConsumer("mca").setPurpose("社会救助资格核验").setMethod(SharingMethod.PUSH).setStatus(RequestStatus.PENDING)
                .setFiledAt(T0).setDueAt(Instant.parse("2026-10-09T15:59:59.999Z")).build());
        samples.add(Grant.newBuilder().setGrantId("g-1").setRequestId("req-1").setResourceCode("101-000001").setProvider("psb")
                .setConsumer("mca").setPurpose("社会救助资格核验").setMethod(SharingMethod.PUSH).setAllowedFields(null)
                .setClearFields(List.of()).setValidFrom(T0).setStatus(GrantStatus.REVOKED).setCreatedAt(T0)
                .setEndedAt(T0.plusSeconds(60)).setEndReason("用途已完成").build());
        samples.add(DeadLetter.newBuilder().setId("d-1").setTime(T0).setComponent("governance").setReason("INVALID_COMMAND")
                .setMessage("cannot decode").setSourceTopic("cmd.psb").setSourcePartition(0).setSourceOffset(42L)
                .setOriginalValue(ByteBuffer.wrap("garbage".getBytes(StandardCharsets.UTF_8)))
                .setOriginalHeaders(Map.of("op", ByteBuffer.wrap(new byte[] {1}))).build());
        return samples.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void schemaParsesOnItsOwnAndEveryFieldIsDocumented(SpecificRecordBase sample) {
        Schema schema = new Schema.Parser().parse(sample.getSchema().toString());

        assertThat(schema).isEqualTo(sample.getSchema());
        assertThat(schema.getNamespace()).isEqualTo("cn.tianfu.databus.schemas");
        assertThat(schema.getDoc()).isNotBlank();
        assertThat(schema.getFields()).allSatisfy(f -> assertThat(f.doc()).as("doc of %s.%s", schema.getName(), f.name()).isNotBlank());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void roundTripsThroughAvroBinary(SpecificRecordBase sample) throws IOException {
        assertThat(decode(encode(sample), sample.getSchema())).isEqualTo(sample);
    }

    @Test
    void optionalFieldsDefaultToNull() {
        DataItem item = DataItem.newBuilder().setName("gender").setDisplayName("性别").setType(FieldType.STRING)
                .setSensitivity(Sensitivity.INTERNAL).setMask(MaskKind.NONE).build();

        assertThat(item.getKey()).isFalse();
        assertThat(item.getPrecision()).isNull();
        for (Schema.Field f : CatalogEntry.getClassSchema().getFields()) {
            if (f.schema().isUnion()) {
                assertThat(f.schema().getTypes().get(0).getType()).as(f.name()).isEqualTo(Schema.Type.NULL);
                assertThat(f.defaultVal()).as(f.name()).isEqualTo(org.apache.avro.JsonProperties.NULL_VALUE);
            }
        }
    }

    @Test
    void instantsAndDatesUseLogicalTypes() {
        Schema entry = CatalogEntry.getClassSchema();

        assertThat(entry.getField("lastChanged").schema().getLogicalType().getName()).isEqualTo("timestamp-millis");
        assertThat(entry.getField("publishDate").schema().getLogicalType().getName()).isEqualTo("date");
        assertThat(GovernanceCommand.getClassSchema().getField("payload").schema().getTypes())
                .extracting(Schema::getName)
                .containsExactly("RegisterResource", "UpdateResource", "RetireResource", "RequestAccess", "DecideRequest",
                        "WithdrawRequest", "RevokeGrant", "MarkOverdue", "ActOnViolation", "ReportError", "AnswerReport",
                        "AcceptAnswer", "OpenDispute",
                        "DisputeStep",
                        "NoticeCatalogUpdate",
                        "SubmitPublicRequest", "AnswerPublicRequest", "NarrowGrant", "RequestPublicReview",
                        "RecordReviewOpinion", "DecidePublicReview");
    }

    @Test
    void trustCoversTheBusClassesOnly() {
        ClassSecurityValidator.validate(MaskKind.class);
        ClassSecurityValidator.validate(CatalogEntry.class);

        assertThatThrownBy(() -> ClassSecurityValidator.validate(java.io.File.class)).isInstanceOf(SecurityException.class);
        assertThatThrownBy(() -> ClassSecurityValidator.validate(java.net.URL.class)).isInstanceOf(SecurityException.class);
    }

    private static byte[] encode(SpecificRecordBase record) throws IOException {
        var out = new ByteArrayOutputStream();
        var encoder = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<SpecificRecordBase>(record.getSchema()).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    private static Object decode(byte[] bytes, Schema schema) throws IOException {
        return new SpecificDatumReader<>(schema).read(null, DecoderFactory.get().binaryDecoder(bytes, null));
    }
}
