package cn.tianfu.databus.catalog;

import java.util.regex.Pattern;

import cn.tianfu.databus.quality.IdentityCodes;

/**
 * Checks a provider code: a unified social credit code (统一社会信用代码, GB 32100-2015, 18 characters with a check
 * character) or an organisation code (组织机构代码, 9 characters: 8 digits or capitals and a check digit or X).
 */
final class ProviderCodes {

    private static final Pattern ORGANISATION_CODE = Pattern.compile("[0-9A-Z]{8}-?[0-9X]");

    private ProviderCodes() {
    }

    static boolean isValid(String code) {
        return isCreditCode(code) || ORGANISATION_CODE.matcher(code).matches();
    }

    static boolean isCreditCode(String code) {
        return IdentityCodes.isValidCreditCode(code);
    }
}
