package cn.tianfu.databus.quality;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.Set;

/**
 * Check characters of the two identifiers public data is keyed by most often: the resident ID number (公民身份号码,
 * GB 11643) and the unified social credit code (统一社会信用代码, GB 32100-2015); and the administrative division codes
 * the bus knows (Chengdu's). Used for validity checks of published records (quality evaluation, Art. 41) and to make
 * realistic sample data.
 */
public final class IdentityCodes {

    private static final int[] ID_WEIGHTS = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    private static final String ID_CHECK = "10X98765432";
    /** The credit-code alphabet; a character's value is its position (no I, O, S, V, Z). */
    private static final String CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";

    /**
     * The administrative division codes (GB/T 2260) the bus knows: Sichuan province, Chengdu and Chengdu's twenty
     * county-level divisions. The high-tech zone and Tianfu New Area are functional zones without a code of their own.
     */
    public static final Set<String> KNOWN_DIVISIONS = Set.of("510000", "510100",
            "510104", "510105", "510106", "510107", "510108", "510112", "510113", "510114", "510115", "510116",
            "510117", "510118", "510121", "510129", "510131", "510181", "510182", "510183", "510184", "510185");

    private IdentityCodes() {
    }

    /** Whether {@code code} is one of the {@link #KNOWN_DIVISIONS} (six digits, exactly). */
    public static boolean isKnownDivisionCode(String code) {
        return code != null && KNOWN_DIVISIONS.contains(code);
    }

    /** The check character of the first 17 digits of a resident ID number: "10X98765432"[Σ a_i·W_i mod 11]. */
    public static char idNumberCheck(String first17) {
        if (first17.length() != 17) {
            throw new IllegalArgumentException("an ID number's check is computed over 17 digits, got " + first17.length());
        }
        int sum = 0;
        for (int i = 0; i < 17; i++) {
            char c = first17.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("an ID number's first 17 characters are digits: '" + first17 + "'");
            }
            sum += (c - '0') * ID_WEIGHTS[i];
        }
        return ID_CHECK.charAt(sum % 11);
    }

    /** Whether {@code id} is an 18-character resident ID number with a real birth date and the right check character. */
    public static boolean isValidIdNumber(String id) {
        if (id == null || id.length() != 18) {
            return false;
        }
        for (int i = 0; i < 17; i++) {
            if (!Character.isDigit(id.charAt(i)) || id.charAt(i) > '9') {
                return false;
            }
        }
        try {
            LocalDate.of(Integer.parseInt(id.substring(6, 10)), Integer.parseInt(id.substring(10, 12)), Integer.parseInt(id.substring(12, 14)));
        } catch (DateTimeException e) {
            return false;
        }
        return id.charAt(17) == idNumberCheck(id.substring(0, 17));
    }

    /** The check character of the first 17 characters of a credit code: C = 31 − (Σ v_i·3^(i−1) mod 31), 31 → 0. */
    public static char creditCodeCheck(String first17) {
        if (first17.length() != 17) {
            throw new IllegalArgumentException("a credit code's check is computed over 17 characters, got " + first17.length());
        }
        int sum = 0;
        int weight = 1;
        for (int i = 0; i < 17; i++) {
            int v = CREDIT_ALPHABET.indexOf(first17.charAt(i));
            if (v < 0) {
                throw new IllegalArgumentException("'" + first17.charAt(i) + "' is not in the credit-code alphabet");
            }
            sum += v * weight;
            weight = weight * 3 % 31;
        }
        int c = 31 - sum % 31;
        return CREDIT_ALPHABET.charAt(c == 31 ? 0 : c);
    }

    /** Whether {@code code} is an 18-character unified social credit code with the right check character. */
    public static boolean isValidCreditCode(String code) {
        if (code == null || code.length() != 18) {
            return false;
        }
        for (int i = 0; i < 18; i++) {
            if (CREDIT_ALPHABET.indexOf(code.charAt(i)) < 0) {
                return false;
            }
        }
        return code.charAt(17) == creditCodeCheck(code.substring(0, 17));
    }
}
