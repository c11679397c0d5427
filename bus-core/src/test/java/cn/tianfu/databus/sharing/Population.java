package cn.tianfu.databus.sharing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDate;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;

/** The population test resource and records of it, as a deserializer would produce them (Utf8, raw logical types). */
final class Population {

    static final Schema SCHEMA = load();

    private Population() {
    }

    static GenericRecord record(String idNumber, String name, String phone, String gender, String birthDate,
                                String address, String divisionCode, Instant updatedAt) {
        GenericData.Record r = new GenericData.Record(SCHEMA);
        r.put("idNumber", new Utf8(idNumber));
        r.put("name", utf8(name));
        r.put("phone", utf8(phone));
        r.put("gender", utf8(gender));
        r.put("birthDate", birthDate == null ? null : (int) LocalDate.parse(birthDate).toEpochDay());
        r.put("householdAddress", utf8(address));
        r.put("divisionCode", utf8(divisionCode));
        r.put("updatedAt", updatedAt == null ? null : updatedAt.toEpochMilli());
        return r;
    }

    static GenericRecord zhangSan() {
        return record("510104199001011234", "张三", "13812345678", "M", "1990-01-01",
                "四川省成都市锦江区春熙路1号", "510104", Instant.parse("2024-03-01T08:00:00Z"));
    }

    private static Utf8 utf8(String s) {
        return s == null ? null : new Utf8(s);
    }

    private static Schema load() {
        try (InputStream in = Population.class.getResourceAsStream("/sharing/population.avsc")) {
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
