package cn.tianfu.databus.catalog;

import java.util.regex.Pattern;

/**
 * Checks a provider code: a unified social credit code (统一社会信用代码, GB 32100-2015, 18 characters with a check
 * character) or an organisation code (组织机构代码, 9 characters: 8 digits or capitals and a check digit or X).
 */
final class ProviderCodes {

    /** The code alphabet; a character's value is its position (no I, O, S, V, Z). */
    private static final String ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    private static final Pattern ORGANISATION_CODE = Pattern.compile("[0-9A-Z]{8}-?[0-9X]");

    private ProviderCodes() {
    }

    static boolean isValid(String code) {
        return isCreditCode(code) || ORGANISATION_CODE.matcher(code).matches();
    }

    static boolean isCreditCode(String code) {
        if (code.length() != 18) {
            return false;
        }
        for (int i = 0; i < 18; i++) {
            if (ALPHABET.indexOf(code.charAt(i)) < 0) {
                return false;
            }
        }
        return code.charAt(17) == creditCodeCheck(code.substring(0, 17));
    }

    /** The check character of the first 17 characters: C = 31 - (Σ v_i·3^(i-1) mod 31) mod 31. */
    static char creditCodeCheck(String first17) {
        int sum = 0;
        int weight = 1;
        for (int i = 0; i < 17; i++) {
            sum += ALPHABET.indexOf(first17.charAt(i)) * weight;
            weight = weight * 3 % 31;
        }
        int c = 31 - sum % 31;
        return ALPHABET.charAt(c == 31 ? 0 : c);
    }
}
