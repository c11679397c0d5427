package cn.tianfu.databus.serde.internal;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro refuses to instantiate classes named by a schema unless they are trusted. The serde trusts exactly the
 * generated classes of the schemas the application reads and writes: the class it was given (or that a writer
 * schema names and that is a generated record on the classpath), and the records, enums and fixed types nested in it.
 * Classes are loaded without initialization and checked before they are trusted.
 */
public final class AvroClassTrust {

    private static final Set<Class<?>> TRUSTED = ConcurrentHashMap.newKeySet();
    private static volatile boolean installed;

    private AvroClassTrust() {
    }

    /** Trusts {@code type} and the generated classes of every named type in its schema. */
    public static void trust(Class<?> type, Schema schema) {
        install();
        TRUSTED.add(type);
        trustNested(schema, type.getClassLoader(), new HashSet<>());
    }

    /** The generated record class named by {@code schema}, loaded without initialization; null when there is none. */
    public static Class<?> generatedRecordClass(Schema schema, ClassLoader loader) {
        Class<?> c = load(schema.getFullName(), loader);
        return c != null && SpecificRecord.class.isAssignableFrom(c) ? c : null;
    }

    private static void trustNested(Schema schema, ClassLoader loader, Set<String> seen) {
        switch (schema.getType()) {
            case RECORD -> {
                if (!seen.add(schema.getFullName())) {
                    return;
                }
                trustIfGenerated(schema, loader);
                schema.getFields().forEach(f -> trustNested(f.schema(), loader, seen));
            }
            case ENUM, FIXED -> trustIfGenerated(schema, loader);
            case ARRAY -> trustNested(schema.getElementType(), loader, seen);
            case MAP -> trustNested(schema.getValueType(), loader, seen);
            case UNION -> schema.getTypes().forEach(t -> trustNested(t, loader, seen));
            default -> {
            }
        }
    }

    private static void trustIfGenerated(Schema schema, ClassLoader loader) {
        Class<?> c = load(schema.getFullName(), loader);
        if (c != null && (SpecificRecord.class.isAssignableFrom(c) || c.isEnum() || GenericFixed.class.isAssignableFrom(c))) {
            TRUSTED.add(c);
        }
    }

    private static Class<?> load(String name, ClassLoader loader) {
        try {
            return Class.forName(name, false, loader == null ? AvroClassTrust.class.getClassLoader() : loader);
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }

    private static synchronized void install() {
        if (!installed) {
            ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(ClassSecurityValidator.getGlobal(), TRUSTED::contains));
            installed = true;
        }
    }
}
