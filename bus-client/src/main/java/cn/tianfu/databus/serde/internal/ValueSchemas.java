package cn.tianfu.databus.serde.internal;

import java.nio.ByteBuffer;
import java.util.Map;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;

/**
 * The schema a Java value is written with, for the serializer; the framing itself is
 * {@link cn.tianfu.databus.contract.WireFormat}.
 */
public final class ValueSchemas {

    private static final Map<Class<?>, Schema> PRIMITIVES = Map.of(
            String.class, Schema.create(Schema.Type.STRING),
            Integer.class, Schema.create(Schema.Type.INT),
            Long.class, Schema.create(Schema.Type.LONG),
            Float.class, Schema.create(Schema.Type.FLOAT),
            Double.class, Schema.create(Schema.Type.DOUBLE),
            Boolean.class, Schema.create(Schema.Type.BOOLEAN),
            byte[].class, Schema.create(Schema.Type.BYTES));

    private ValueSchemas() {
    }

    /** The schema a value is written with: its own for Avro containers, the primitive schema for Java primitives; null if neither. */
    public static Schema schemaOf(Object value) {
        if (value instanceof GenericContainer c) {
            return c.getSchema();
        }
        if (value instanceof CharSequence) {
            return PRIMITIVES.get(String.class);
        }
        if (value instanceof ByteBuffer) {
            return PRIMITIVES.get(byte[].class);
        }
        return PRIMITIVES.get(value.getClass());
    }
}
