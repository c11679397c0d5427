package cn.tianfu.databus.quality.app;

import java.time.LocalDate;
import java.util.List;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

import cn.tianfu.databus.quality.IdentityCodes;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.Category;
import cn.tianfu.databus.schemas.DataItem;
import cn.tianfu.databus.schemas.FieldType;
import cn.tianfu.databus.schemas.MaskKind;
import cn.tianfu.databus.schemas.ResourceStatus;
import cn.tianfu.databus.schemas.Sensitivity;
import cn.tianfu.databus.schemas.SharingClass;
import cn.tianfu.databus.schemas.SharingMethod;
import cn.tianfu.databus.schemas.UpdateFrequency;

/**
 * A resident-like resource whose items get every check: an ID number (by its mask), the employer's credit code and the
 * division code (by their catalogued names), a birth date (by its type), and a name (no check).
 */
public final class QualityFixtures {

    public static final Schema RESIDENT = new Schema.Parser().parse("""
            {"type": "record", "name": "QualityResident", "namespace": "cn.tianfu.databus.resources.test",
             "fields": [
               {"name": "idNumber", "type": "string"},
               {"name": "name", "type": ["null", "string"], "default": null},
               {"name": "employer", "type": ["null", "string"], "default": null},
               {"name": "district", "type": ["null", "string"], "default": null},
               {"name": "birthDate", "type": ["null", {"type": "int", "logicalType": "date"}], "default": null}
             ]}""");

    /** Valid ID numbers: Chengdu residents born in 1980, sequence {@code n}. */
    public static String idNumber(int n) {
        String first17 = "510104" + "19800101" + String.format("%03d", n);
        return first17 + IdentityCodes.idNumberCheck(first17);
    }

    /** {@link #idNumber} with its check character changed: wrong. */
    public static String badIdNumber(int n) {
        String good = idNumber(n);
        char wrong = good.charAt(17) == '1' ? '2' : '1';
        return good.substring(0, 17) + wrong;
    }

    /** The standard's worked example, valid. */
    public static final String CREDIT_CODE = "91350100M000100Y43";
    /** The worked example with a wrong check character. */
    public static final String BAD_CREDIT_CODE = "91350100M000100Y44";

    private QualityFixtures() {
    }

    public static GenericRecord resident(String id, String name, String employer, String district, LocalDate birth) {
        GenericRecord r = new GenericData.Record(RESIDENT);
        r.put("idNumber", id);
        r.put("name", name);
        r.put("employer", employer);
        r.put("district", district);
        r.put("birthDate", birth == null ? null : (int) birth.toEpochDay());
        return r;
    }

    public static List<DataItem> items() {
        return List.of(
                item("idNumber", "公民身份号码", FieldType.STRING, Sensitivity.PERSONAL, MaskKind.ID_NUMBER, true),
                item("name", "姓名", FieldType.STRING, Sensitivity.PERSONAL, MaskKind.NAME, false),
                item("employer", "工作单位统一社会信用代码", FieldType.STRING, Sensitivity.PUBLIC, MaskKind.NONE, false),
                item("district", "户籍地行政区划代码", FieldType.STRING, Sensitivity.PUBLIC, MaskKind.NONE, false),
                item("birthDate", "出生日期", FieldType.DATE, Sensitivity.PERSONAL, MaskKind.FULL, false));
    }

    private static DataItem item(String name, String display, FieldType type, Sensitivity s, MaskKind mask, boolean key) {
        return DataItem.newBuilder().setName(name).setDisplayName(display).setType(type).setSensitivity(s)
                .setMask(mask).setKey(key).build();
    }

    public static CatalogEntry entry(String code, String provider, UpdateFrequency frequency, LocalDate published,
                                     boolean open) {
        return CatalogEntry.newBuilder()
                .setCode(code)
                .setClassification(code.substring(0, code.indexOf('-')))
                .setName("Residents " + code)
                .setCategory(Category.BASIC)
                .setProvider(provider)
                .setProviderCode("11510100MB0000000X")
                .setSummary("registered residents")
                .setFormat("avro")
                .setDataItems(items())
                .setSharingClass(SharingClass.UNCONDITIONAL)
                .setSharingMethod(SharingMethod.BOTH)
                .setOpen(open)
                .setOpenFields(open ? List.of("district") : null)
                .setUpdateFrequency(frequency)
                .setPublishDate(published)
                .setSchemaSubject("src." + provider + "." + code + "-value")
                .setSchemaId(1)
                .setSchemaVersion(1)
                .setCatalogVersion(1)
                .setStatus(ResourceStatus.ACTIVE)
                .setLastChanged(published.atStartOfDay(java.time.ZoneOffset.UTC).toInstant())
                .build();
    }
}
