package cn.tianfu.databus.demo;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

import cn.tianfu.databus.quality.IdentityCodes;

/**
 * Realistic, reproducible sample records for the demo and the benchmarks: residents of Chengdu's districts with valid
 * resident ID numbers, and legal entities with valid unified social credit codes. Values fill whatever fields of the
 * given schema they know by name; the schema decides the encoding (dates as days, decimals as unscaled bytes).
 */
public final class SampleData {

    /** Chengdu's county-level divisions (GB/T 2260), with their names. */
    public static final List<String[]> DIVISIONS = List.of(
            new String[] {"510104", "锦江区"}, new String[] {"510105", "青羊区"}, new String[] {"510106", "金牛区"},
            new String[] {"510107", "武侯区"}, new String[] {"510108", "成华区"}, new String[] {"510112", "龙泉驿区"},
            new String[] {"510114", "新都区"}, new String[] {"510115", "温江区"}, new String[] {"510116", "双流区"},
            new String[] {"510117", "郫都区"}, new String[] {"510181", "都江堰市"}, new String[] {"510185", "简阳市"});

    private static final String[] SURNAMES = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "罗", "欧阳", "司马"};
    private static final String[] GIVEN = {"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "建华", "子涵", "思远", "雨桐", "浩然"};
    private static final String[] STREETS = {"春熙路", "人民南路", "红星路", "蜀都大道", "天府大道", "光华大道", "建设路", "府青路", "羊市街", "文殊院街"};
    private static final String[] TRADES = {"餐饮管理", "科技", "商贸", "建筑工程", "文化传媒", "物流", "医药", "教育咨询", "农业开发", "软件"};
    private static final String[] STATUSES = {"存续", "存续", "存续", "存续", "注销", "吊销"};

    private final Random random;

    public SampleData(long seed) {
        this.random = new Random(seed);
    }

    /** A resident of the given division: a valid ID number whose sequence digit matches the gender. */
    public GenericRecord resident(Schema schema, String divisionCode, Instant updatedAt) {
        LocalDate birth = LocalDate.of(1940 + random.nextInt(66), 1 + random.nextInt(12), 1 + random.nextInt(28));
        int sequence = random.nextInt(1000);
        boolean male = sequence % 2 == 1;
        String first17 = divisionCode + String.format("%04d%02d%02d", birth.getYear(), birth.getMonthValue(), birth.getDayOfMonth())
                + String.format("%03d", sequence);
        String id = first17 + IdentityCodes.idNumberCheck(first17);
        GenericRecord r = new GenericData.Record(schema);
        put(r, "idNumber", id);
        put(r, "name", name());
        put(r, "mobile", "1" + new String[] {"38", "39", "50", "58", "86", "88", "77", "99"}[random.nextInt(8)]
                + String.format("%08d", random.nextInt(100_000_000)));
        put(r, "gender", male ? "1" : "2");
        put(r, "birthDate", birth);
        put(r, "householdAddress", "四川省成都市" + divisionName(divisionCode) + STREETS[random.nextInt(STREETS.length)]
                + (1 + random.nextInt(300)) + "号");
        put(r, "divisionCode", divisionCode);
        put(r, "updatedAt", updatedAt);
        return r;
    }

    /** A resident of a random division. */
    public GenericRecord resident(Schema schema, Instant updatedAt) {
        return resident(schema, DIVISIONS.get(random.nextInt(DIVISIONS.size()))[0], updatedAt);
    }

    /** A legal entity registered in a random division, with a valid credit code. */
    public GenericRecord legalEntity(Schema schema) {
        String[] division = DIVISIONS.get(random.nextInt(DIVISIONS.size()));
        String alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
        StringBuilder org = new StringBuilder();
        for (int i = 0; i < 9; i++) {
            org.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        String first17 = "91" + division[0] + org;
        GenericRecord r = new GenericData.Record(schema);
        put(r, "creditCode", first17 + IdentityCodes.creditCodeCheck(first17));
        put(r, "entityName", "成都" + GIVEN[random.nextInt(GIVEN.length)] + GIVEN[random.nextInt(GIVEN.length)]
                + TRADES[random.nextInt(TRADES.length)] + "有限公司");
        put(r, "legalRepresentative", name());
        put(r, "registeredCapital", BigDecimal.valueOf(10 + random.nextInt(500_000), 2).multiply(BigDecimal.TEN));
        put(r, "establishedDate", LocalDate.of(1995 + random.nextInt(31), 1 + random.nextInt(12), 1 + random.nextInt(28)));
        put(r, "registrationStatus", STATUSES[random.nextInt(STATUSES.length)]);
        put(r, "address", "四川省成都市" + division[1] + STREETS[random.nextInt(STREETS.length)] + (1 + random.nextInt(500)) + "号");
        put(r, "divisionCode", division[0]);
        return r;
    }

    /** Several residents. */
    public List<GenericRecord> residents(Schema schema, int n, Instant updatedAt) {
        List<GenericRecord> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(resident(schema, updatedAt));
        }
        return out;
    }

    private String name() {
        String surname = SURNAMES[random.nextInt(SURNAMES.length)];
        return surname + GIVEN[random.nextInt(GIVEN.length)];
    }

    private static String divisionName(String code) {
        return DIVISIONS.stream().filter(d -> d[0].equals(code)).map(d -> d[1]).findFirst().orElse("");
    }

    /** Sets a field if the schema has it, encoding dates, timestamps and decimals as the schema declares. */
    private static void put(GenericRecord r, String field, Object value) {
        Schema.Field f = r.getSchema().getField(field);
        if (f == null) {
            return;
        }
        Schema s = nonNull(f.schema());
        var logical = s.getLogicalType();
        Object encoded = value;
        if (value instanceof LocalDate d && logical instanceof LogicalTypes.Date) {
            encoded = (int) d.toEpochDay();
        } else if (value instanceof LocalDate d && s.getType() == Schema.Type.STRING) {
            encoded = d.toString();
        } else if (value instanceof Instant t && logical instanceof LogicalTypes.TimestampMillis) {
            encoded = t.toEpochMilli();
        } else if (value instanceof BigDecimal b && logical instanceof LogicalTypes.Decimal dec) {
            encoded = ByteBuffer.wrap(b.setScale(dec.getScale(), RoundingMode.HALF_UP).unscaledValue().toByteArray());
        }
        r.put(field, encoded);
    }

    private static Schema nonNull(Schema s) {
        if (s.getType() != Schema.Type.UNION) {
            return s;
        }
        return s.getTypes().stream().filter(t -> t.getType() != Schema.Type.NULL).findFirst().orElse(s);
    }
}
