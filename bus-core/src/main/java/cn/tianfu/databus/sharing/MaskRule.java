package cn.tianfu.databus.sharing;

import java.util.Locale;
import java.util.Set;

/**
 * How a field's value is masked before it leaves the bus, as declared by the {@code "mask"} property of its Avro field.
 * Every rule works on Unicode code points (a character outside the Basic Multilingual Plane is one character and is
 * replaced by one {@code '*'}), and never reveals a value shorter than what the rule keeps: such a value is masked
 * entirely.
 *
 * <pre>{@code
 * MaskRule.ID_NUMBER.apply("510104199001011234")  // "510104********1234"
 * MaskRule.PHONE.apply("13812345678")             // "138****5678"
 * MaskRule.NAME.apply("张三")                      // "张*"
 * MaskRule.NAME.apply("欧阳娜娜")                  // "欧阳**"
 * }</pre>
 */
public enum MaskRule {
    /** Left as it is. */
    NONE(0, 0),
    /** Resident ID number: keeps the first 6 characters (the division code) and the last 4. */
    ID_NUMBER(6, 4),
    /** Mobile phone number: keeps the first 3 and the last 4 characters. */
    PHONE(3, 4),
    /**
     * Person's name: keeps the surname — the first character, or the first two when they form one of the common
     * two-character surnames in {@link #COMPOUND_SURNAMES} — and replaces every other character.
     */
    NAME(1, 0),
    /** Every character replaced. */
    FULL(0, 0);

    /** Name of the Avro field property carrying the rule. */
    public static final String PROPERTY = "mask";

    /** The mask character, one per masked code point. */
    public static final char MASK_CHAR = '*';

    /** Two-character surnames kept whole by {@link #NAME}. */
    public static final Set<String> COMPOUND_SURNAMES = Set.of(
            "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙",
            "宇文", "司徒", "夏侯", "轩辕", "令狐", "钟离", "端木", "独孤", "南宫", "西门",
            "呼延", "澹台", "公冶", "申屠", "太史", "闻人", "濮阳", "淳于", "赫连", "百里",
            "东郭", "拓跋", "完颜", "司空", "万俟", "单于", "第五", "公羊", "左丘", "谷梁");

    private final int keepFirst;
    private final int keepLast;

    MaskRule(int keepFirst, int keepLast) {
        this.keepFirst = keepFirst;
        this.keepLast = keepLast;
    }

    /** Whether the rule changes values at all. */
    public boolean masks() {
        return this != NONE;
    }

    /** Whether the rule only makes sense on strings (every rule but {@link #NONE} and {@link #FULL}). */
    public boolean requiresString() {
        return this == ID_NUMBER || this == PHONE || this == NAME;
    }

    /**
     * Masks a value; {@code null} stays {@code null}.
     *
     * @param value the clear value
     * @return the masked value, with as many code points as the input
     */
    public String apply(CharSequence value) {
        if (value == null) {
            return null;
        }
        String s = value.toString();
        if (this == NONE) {
            return s;
        }
        int length = s.codePointCount(0, s.length());
        int first = this == NAME ? surnameLength(s) : keepFirst;
        int last = keepLast;
        if (this == FULL || length <= first + last) {
            return stars(length);
        }
        int headEnd = s.offsetByCodePoints(0, first);
        int tailStart = s.offsetByCodePoints(s.length(), -last);
        StringBuilder out = new StringBuilder(headEnd + (length - first - last) + (s.length() - tailStart));
        out.append(s, 0, headEnd);
        for (int i = first; i < length - last; i++) {
            out.append(MASK_CHAR);
        }
        out.append(s, tailStart, s.length());
        return out.toString();
    }

    /**
     * Parses a property value (case-insensitive); a missing property means {@link #FULL} for a personal field and
     * {@link #NONE} otherwise, so a personal field never leaves the bus in clear by omission.
     *
     * @throws PolicyException when the value is not one of the constants
     */
    public static MaskRule fromProperty(String fieldName, String value, Sensitivity sensitivity) {
        if (value == null) {
            return sensitivity == Sensitivity.PERSONAL ? FULL : NONE;
        }
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new PolicyException("Field '" + fieldName + "' declares mask '" + value
                    + "'; use one of NONE, ID_NUMBER, PHONE, NAME, FULL");
        }
    }

    private static int surnameLength(String name) {
        if (name.length() >= 2 && COMPOUND_SURNAMES.contains(name.substring(0, 2))) {
            return 2;
        }
        return 1;
    }

    private static String stars(int count) {
        return String.valueOf(MASK_CHAR).repeat(count);
    }
}
