package cn.tianfu.databus.schemas;

import org.apache.avro.util.ClassSecurityValidator;
import org.apache.avro.util.ClassSecurityValidator.ClassSecurityPredicate;

/**
 * Lets Avro instantiate the bus's generated classes when it reads specific records.
 *
 * <p>Avro (1.12) refuses to load any class by name that is not on its trusted list; reading a record that contains an
 * enum ({@link SharingClass}, {@link MaskKind}, ...) with a {@code SpecificDatumReader}, or building a record whose
 * unset field defaults to an enum, fails with {@code SecurityException: Forbidden cn.tianfu.databus...}. Call
 * {@link #install()} once before the first such read; the serde does so itself.
 *
 * <pre>{@code
 * TrustedClasses.install();
 * var reader = new SpecificDatumReader<>(CatalogEntry.class);
 * }</pre>
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
