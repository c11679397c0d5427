package cn.tianfu.databus.contract;

import java.nio.ByteBuffer;
import java.util.Map;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;

/** The schema registry wire format: magic byte 0, 4-byte big-endian schema id, then Avro binary. */
public final class WireFormat {

    public static final byte MAGIC_BYTE = 0;
    public static final int HEADER_SIZE = 5;

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
        target[0] = MAGIC_BYTE;
        target[1] = (byte) (schemaId >>> 24);
        target[2] = (byte) (schemaId >>> 16);
        target[3] = (byte) (schemaId >>> 8);
        target[4] = (byte) schemaId;
    }

    public static int readSchemaId(byte[] data) {
        return ((data[1] & 0xff) << 24) | ((data[2] & 0xff) << 16) | ((data[3] & 0xff) << 8) | (data[4] & 0xff);
    }
}
