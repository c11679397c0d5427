package cn.tianfu.databus.quality;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.regex.Pattern;

import cn.tianfu.databus.schemas.DataItem;
import cn.tianfu.databus.schemas.FieldType;
import cn.tianfu.databus.schemas.MaskKind;

/**
 * The validity check a catalogued data item gets, decided from what the catalog says of it: its type, its field name,
 * its catalogued name (信息项名称), its description and its masking rule. A value that is absent is not checked (it
 * counts against completeness instead).
 *
 * <pre>{@code
 * ItemCheck.of(item).valid(record.get(item.getName()));
 * }</pre>
 */
public enum ItemCheck {
    /** A resident ID number (GB 11643): 18 characters, a real birth date, the right check character. */
    ID_NUMBER,
    /** A unified social credit code (GB 32100-2015): 18 characters of its alphabet, the right check character. */
    CREDIT_CODE,
    /** An administrative division code: one of {@link IdentityCodes#KNOWN_DIVISIONS}. */
    DIVISION_CODE,
    /** A DATE or TIMESTAMP item: from {@link #EARLIEST_DATE} to {@link #LATEST_DATE}. */
    DATE,
    /** Not checked. */
    NONE;

    /** The earliest date a DATE or TIMESTAMP item may hold. */
    public static final LocalDate EARLIEST_DATE = LocalDate.of(1900, 1, 1);
    /** The latest date a DATE or TIMESTAMP item may hold. */
    public static final LocalDate LATEST_DATE = LocalDate.of(2099, 12, 31);

    private static final Pattern ID_NAME = Pattern.compile(".*(idnumber|idcard|idno|citizenid|sfzh).*");
    private static final Pattern CREDIT_NAME = Pattern.compile(".*(creditcode|uscc|tyshxydm).*");
    private static final Pattern DIVISION_NAME = Pattern.compile(".*(divisioncode|division|regioncode|districtcode|xzqh).*");

    /**
     * The check of {@code item}: a DATE or TIMESTAMP item is a {@link #DATE}; a STRING item is an {@link #ID_NUMBER}
     * when it is masked as one or named so (field name like {@code idNumber}, catalogued name with 身份证 or 公民身份号码),
     * a {@link #CREDIT_CODE} when named so ({@code creditCode}, {@code uscc}, 统一社会信用代码) and a
     * {@link #DIVISION_CODE} when named or described so ({@code divisionCode}, {@code regionCode}, 行政区划, GB/T 2260);
     * everything else {@link #NONE}.
     */
    public static ItemCheck of(DataItem item) {
        if (item.getType() == FieldType.DATE || item.getType() == FieldType.TIMESTAMP) {
            return DATE;
        }
        if (item.getType() != FieldType.STRING) {
            return NONE;
        }
        String name = item.getName().toLowerCase(Locale.ROOT).replace("_", "");
        String display = item.getDisplayName() == null ? "" : item.getDisplayName();
        String description = item.getDescription() == null ? "" : item.getDescription();
        if (item.getMask() == MaskKind.ID_NUMBER || ID_NAME.matcher(name).matches()
                || display.contains("身份证") || display.contains("身份号码")) {
            return ID_NUMBER;
        }
        if (CREDIT_NAME.matcher(name).matches() || display.contains("统一社会信用代码") || description.contains("GB 32100")) {
            return CREDIT_CODE;
        }
        if (DIVISION_NAME.matcher(name).matches() || display.contains("行政区划") || description.contains("GB/T 2260")) {
            return DIVISION_CODE;
        }
        return NONE;
    }

    /** Whether a present {@code value} (as Avro decodes it: a CharSequence, an Integer day, a Long millisecond…) is valid. */
    public boolean valid(Object value) {
        return switch (this) {
            case ID_NUMBER -> IdentityCodes.isValidIdNumber(value.toString());
            case CREDIT_CODE -> IdentityCodes.isValidCreditCode(value.toString());
            case DIVISION_CODE -> IdentityCodes.isKnownDivisionCode(value.toString());
            case DATE -> inRange(value);
            case NONE -> true;
        };
    }

    private static boolean inRange(Object value) {
        LocalDate date;
        if (value instanceof LocalDate d) {
            date = d;
        } else if (value instanceof Integer days) {
            date = LocalDate.ofEpochDay(days);
        } else if (value instanceof Instant i) {
            date = LocalDate.ofInstant(i, ZoneOffset.UTC);
        } else if (value instanceof Long millis) {
            date = LocalDate.ofInstant(Instant.ofEpochMilli(millis), ZoneOffset.UTC);
        } else {
            return false;
        }
        return !date.isBefore(EARLIEST_DATE) && !date.isAfter(LATEST_DATE);
    }
}
