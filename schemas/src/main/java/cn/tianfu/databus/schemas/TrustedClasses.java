package cn.tianfu.databus.schemas;

import org.apache.avro.util.ClassSecurityValidator;
import org.apache.avro.util.ClassSecurityValidator.ClassSecurityPredicate;

/**
 * Lets Avro instantiate the bus's generated classes when it reads specific records.
 *
 * <p>Avro (1.12) refuses to load any class by name that is not on its trusted list; reading a record that contains an
 * enum ({@link SharingClass}, {@link MaskKind}, ...) with a {@code SpecificDatumReader}, or building a record whose
 * unset field defaults to an enum, fails with {@code SecurityException: Forbidden cn.tianfu.databus...}. Every class
 * generated from the bus's schemas calls {@link #install()} in its static initializer (the templates under
 * {@code schemas/src/main/avro-templates}), so whatever reads or builds one of them, on whatever path (SDK, CLI,
 * streams apps, HTTP API), finds the bus's classes trusted; nobody needs to call it.
 *
 * <p>Only classes under {@code cn.tianfu.databus.} are added; whatever else was trusted (Avro's defaults, the
 * {@code org.apache.avro.SERIALIZABLE_PACKAGES} system property) stays trusted.
 */
public final class TrustedClasses {

    /** Prefix of every class this installs trust for. */
    public static final String TRUSTED_PREFIX = "cn.tianfu.databus.";

    private static final ClassSecurityPredicate BUS_CLASSES = c -> c.getName().startsWith(TRUSTED_PREFIX);

    private static boolean installed;

    private TrustedClasses() {
    }

    /** Adds the bus's own classes to Avro's global trusted set; calling it again does nothing. */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(ClassSecurityValidator.getGlobal(), BUS_CLASSES));
        installed = true;
    }
}
