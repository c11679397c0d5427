package cn.tianfu.databus.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import cn.tianfu.databus.contract.Subjects;
import cn.tianfu.databus.catalog.AvroSchemas;
import cn.tianfu.databus.catalog.CatalogEntries;
import cn.tianfu.databus.catalog.ResourceDefinition;
import cn.tianfu.databus.catalog.ResourceDefinitions;
import cn.tianfu.databus.demo.SampleData;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.GrantStatus;
import cn.tianfu.databus.schemas.Grant;
import cn.tianfu.databus.schemas.SharingClass;
import cn.tianfu.databus.schemas.SharingMethod;
import cn.tianfu.databus.contract.Topics;

/**
 * The benchmark's data: the household-register resource {@code bench-population.yaml} (the population resource with
 * the further items a register keeps, about 1 KB per record in Avro), reproducible records of it, and the grant every
 * bus scenario routes through — a projection of 12 of its 21 items, the personal ones masked, and a row filter.
 */
public final class BenchData {

    /** The resource definition the benchmark publishes. */
    public static final String DEFINITION = "bench-population.yaml";

    /** Items the benchmark grant delivers (a projection: the other items never leave the bus). */
    public static final List<String> GRANTED_FIELDS = List.of("idNumber", "name", "gender", "birthDate",
            "maritalStatus", "education", "divisionCode", "residenceAddress", "changeType", "changeSeq", "changeNote",
            "updatedAt");

    /**
     * The grant's row filter: residents registered in Chengdu whose record is a real change. Every generated record
     * passes it, so every scenario delivers as many records as it publishes, but it is evaluated on each one.
     */
    public static final String ROW_FILTER = "divisionCode.startsWith(\"5101\") && changeSeq >= 0";

    /** Field of each record holding its sequence number in the run (ties a delivery to its send time). */
    public static final String SEQUENCE_FIELD = "changeSeq";

    private static final String[] ETHNICITIES = {"汉族", "汉族", "汉族", "汉族", "彝族", "藏族", "羌族", "回族"};
    private static final String[] MARITAL = {"未婚", "已婚", "已婚", "离婚", "丧偶"};
    private static final String[] EDUCATION = {"研究生", "大学本科", "大学专科", "高中", "初中", "小学"};
    private static final String[] OCCUPATIONS = {"专业技术人员", "办事人员", "商业、服务业人员", "生产运输设备操作人员",
            "农林牧渔水利业生产人员", "学生", "离退休人员"};
    private static final String[] EMPLOYERS = {"成都市第一人民医院", "四川大学", "成都天府软件园有限公司", "成都地铁运营有限公司",
            "锦江区春熙路街道办事处", "成都市青羊区实验小学", "个体经营"};
    private static final String[] RELATIONS = {"户主", "配偶", "子", "女", "父亲", "母亲", "孙子", "孙女"};
    private static final String[] CHANGES = {"迁入", "迁出", "出生登记", "变更更正", "分户", "立户", "地址变更"};
    private static final String[] STREETS = {"春熙路", "人民南路", "红星路", "蜀都大道", "天府大道", "光华大道", "建设路", "府青路"};
    private static final String[] NOTE_PARTS = {
        "经本人申请，持居民身份证、户口簿及房屋产权证明到派出所户籍窗口办理，材料经审核齐全有效。",
        "因购房落户，由原户籍地迁入本辖区，准予迁入，已核发新户口簿页。",
        "根据婚姻登记机关出具的结婚证，变更婚姻状况，同时更新户主关系信息。",
        "因工作调动，现住址与户籍地址不一致，已登记居住证信息并告知相关权利义务。",
        "经社区民警入户核查，现住址情况属实，申请人已签字确认登记事项。",
        "原登记的服务处所已变更，依据单位出具的在职证明更正职业及服务处所信息。",
        "文化程度依据教育部门学历证书电子注册备案表更正，原记录作废。",
        "办理过程中已进行人像比对及指纹采集，信息一致，符合办理条件。"
    };

    private final ResourceDefinition definition;
    private final Schema schema;

    private BenchData(ResourceDefinition definition) {
        this.definition = definition;
        this.schema = AvroSchemas.forResource(definition);
    }

    /** The benchmark resource, read from the classpath. */
    public static BenchData load() {
        try (InputStream in = BenchData.class.getResourceAsStream(DEFINITION)) {
            if (in == null) {
                throw new IllegalStateException(DEFINITION + " is missing from the classpath of " + BenchData.class);
            }
            return new BenchData(ResourceDefinitions.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), DEFINITION));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The source schema of the resource. */
    public Schema schema() {
        return schema;
    }

    /** {@code n} residents with valid ID numbers, {@link #SEQUENCE_FIELD} numbered from {@code firstSequence}. */
    public List<GenericRecord> records(long seed, int n, long firstSequence) {
        SampleData sample = new SampleData(seed);
        Random random = new Random(seed ^ 0x5DEECE66DL);
        Instant now = Instant.now();
        List<GenericRecord> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            GenericRecord r = sample.resident(schema, now);
            String division = (String) r.get("divisionCode");
            r.put("formerName", random.nextInt(10) == 0 ? r.get("name") + "英" : null);
            r.put("ethnicity", pick(random, ETHNICITIES));
            r.put("maritalStatus", pick(random, MARITAL));
            r.put("education", pick(random, EDUCATION));
            r.put("occupation", pick(random, OCCUPATIONS));
            r.put("employer", pick(random, EMPLOYERS));
            r.put("residenceAddress", "四川省成都市" + pick(random, STREETS) + (1 + random.nextInt(300)) + "号"
                    + (1 + random.nextInt(30)) + "栋" + (1 + random.nextInt(6)) + "单元" + (101 + random.nextInt(3000)) + "室");
            r.put("householdHead", r.get("name"));
            r.put("relationToHead", pick(random, RELATIONS));
            r.put("registrationOffice", "成都市公安局" + division + "分局户政科");
            r.put("changeType", pick(random, CHANGES));
            r.put(SEQUENCE_FIELD, firstSequence + i);
            StringBuilder note = new StringBuilder();
            int parts = 6 + random.nextInt(2);
            for (int p = 0; p < parts; p++) {
                note.append(pick(random, NOTE_PARTS));
            }
            r.put("changeNote", note.toString());
            out.add(r);
        }
        return out;
    }

    /** The record's key: its ID number. */
    public static String key(GenericRecord record) {
        return record.get("idNumber").toString();
    }

    /** A catalog entry of the resource under {@code code}, provided by {@code provider}, with its registered schema. */
    public CatalogEntry catalogEntry(String code, String provider, int schemaId) {
        String subject = Subjects.valueSubject(Topics.source(provider, code));
        CatalogEntry base = CatalogEntries.toCatalogEntry(definition, subject, schemaId, 1, 1, Instant.now());
        return CatalogEntry.newBuilder(base)
                .setCode(code)
                .setClassification(code.substring(0, code.indexOf('-')))
                .setProvider(provider)
                .setSharingClass(SharingClass.CONDITIONAL)
                .build();
    }

    /** The benchmark grant of the resource to {@code consumer}: projection, default masking, row filter; push. */
    public static Grant grant(String grantId, String code, String provider, String consumer) {
        Instant now = Instant.now();
        return Grant.newBuilder()
                .setGrantId(grantId)
                .setRequestId("req-" + grantId)
                .setResourceCode(code)
                .setProvider(provider)
                .setConsumer(consumer)
                .setPurpose("最低生活保障资格核查（benchmark）")
                .setMethod(SharingMethod.PUSH)
                .setAllowedFields(GRANTED_FIELDS)
                .setClearFields(List.of())
                .setRowFilter(ROW_FILTER)
                .setValidFrom(now.minusSeconds(3600))
                .setValidUntil(null)
                .setStatus(GrantStatus.ACTIVE)
                .setCreatedAt(now)
                .build();
    }

    private static String pick(Random random, String[] values) {
        return values[random.nextInt(values.length)];
    }
}
