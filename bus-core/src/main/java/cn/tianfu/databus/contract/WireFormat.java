package cn.tianfu.databus.contract;

/**
 * The schema registry wire format of every Avro value on the bus: magic byte {@code 0}, the 4-byte big-endian id of
 * the writer's schema in the registry, then the Avro binary encoding.
 */
public final class WireFormat {

    public static final byte MAGIC_BYTE = 0;
    /** Bytes before the Avro binary: the magic byte and the schema id. */
    public static final int HEADER_SIZE = 5;

    private WireFormat() {
    }

    /** Writes the magic byte and {@code schemaId} into the first {@link #HEADER_SIZE} bytes of {@code target}. */
    public static void writeHeader(byte[] target, int schemaId) {
        target[0] = MAGIC_BYTE;
        target[1] = (byte) (schemaId >>> 24);
        target[2] = (byte) (schemaId >>> 16);
        target[3] = (byte) (schemaId >>> 8);
        target[4] = (byte) schemaId;
    }

    /** The schema id of a framed value; the caller has checked it is at least {@link #HEADER_SIZE} bytes long. */
    public static int readSchemaId(byte[] data) {
        return ((data[1] & 0xff) << 24) | ((data[2] & 0xff) << 16) | ((data[3] & 0xff) << 8) | (data[4] & 0xff);
    }

    /** Whether {@code data} starts like a framed value: long enough and the magic byte first. */
    public static boolean isFramed(byte[] data) {
        return data != null && data.length >= HEADER_SIZE && data[0] == MAGIC_BYTE;
    }
}
