package cn.tianfu.databus.serde.internal;

import java.nio.ByteBuffer;
import java.util.Map;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;

/**
 * The serde's side of the schema registry wire format: the framing itself is {@link cn.tianfu.databus.contract.WireFormat};
 * this adds the schema a Java value is written with.
 */
public final class WireFormat {

    public static final byte MAGIC_BYTE = cn.tianfu.databus.contract.WireFormat.MAGIC_BYTE;
    public static final int HEADER_SIZE = cn.tianfu.databus.contract.WireFormat.HEADER_SIZE;

    private static final Map<Class<?>, Schema> PRIMITIVES = Map.of(
            String.class, Schema.create(Schema.Type.STRING),
            Integer.class, Schema.create(Schema.Type.INT),
            Long.class, Schema.create(Schema.Type.LONG),
            Float.class, Schema.create(Schema.Type.FLOAT),
            Double.class, Schema.create(Schema.Type.DOUBLE),
            Boolean.class, Schema.create(Schema.Type.BOOLEAN),
            byte[].class, Schema.create(Schema.Type.BYTES));

    private WireFormat() {
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

    public static void writeHeader(byte[] target, int schemaId) {
        cn.tianfu.databus.contract.WireFormat.writeHeader(target, schemaId);
    }

    public static int readSchemaId(byte[] data) {
        return cn.tianfu.databus.contract.WireFormat.readSchemaId(data);
    }
}
