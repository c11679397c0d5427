package cn.tianfu.databus.server.console;

import java.text.MessageFormat;
import java.util.List;
import java.util.Locale;
import java.util.MissingResourceException;
import java.util.ResourceBundle;

/**
 * The console's texts in one language, from the bundles {@code console/console_zh.properties} and
 * {@code console/console_en.properties} (UTF-8). Chinese is the console's first language; English is switched to with
 * {@code ?lang=en} (remembered in a cookie). A key missing from a bundle shows as the key itself, so a page is never
 * broken by a missing text.
 */
public final class Messages {

    /** The languages the console speaks, the first the default. */
    public static final List<String> LANGUAGES = List.of("zh", "en");
    private static final String BUNDLE = "console.console";
    private static final ResourceBundle.Control NO_FALLBACK = ResourceBundle.Control.getNoFallbackControl(
            ResourceBundle.Control.FORMAT_PROPERTIES);

    private final String language;
    private final ResourceBundle bundle;

    private Messages(String language, ResourceBundle bundle) {
        this.language = language;
        this.bundle = bundle;
    }

    /** The texts of {@code language} ({@code zh} or {@code en}); anything else is Chinese. */
    public static Messages of(String language) {
        String lang = language != null && LANGUAGES.contains(language) ? language : LANGUAGES.get(0);
        return new Messages(lang, ResourceBundle.getBundle(BUNDLE, Locale.forLanguageTag(lang), Messages.class.getClassLoader(),
                NO_FALLBACK));
    }

    /** The language code, for {@code <html lang>}. */
    public String language() {
        return language;
    }

    /** The text of {@code key}, with {@code args} put in its {@code {0}}, {@code {1}}, … (MessageFormat). */
    public String get(String key, Object... args) {
        String pattern;
        try {
            pattern = bundle.getString(key);
        } catch (MissingResourceException e) {
            return key;
        }
        if (args.length == 0) {
            return pattern;
        }
        return new MessageFormat(pattern, Locale.forLanguageTag(language)).format(args);
    }

    /** Whether the bundle has {@code key}. */
    public boolean has(String key) {
        return bundle.containsKey(key);
    }
}
