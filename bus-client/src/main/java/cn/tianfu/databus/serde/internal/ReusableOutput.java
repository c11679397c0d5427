package cn.tianfu.databus.serde.internal;

import cn.tianfu.databus.contract.WireFormat;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;

import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * One thread's output buffer and Avro encoder, reused from record to record so serializing allocates only the result.
 * The header's five bytes are reserved at the start of the buffer.
 */
public final class ReusableOutput extends ByteArrayOutputStream {

    /** Buffers grown beyond this are dropped after use instead of kept for the thread. */
    public static final int KEEP_AT_MOST = 1 << 20;

    private BinaryEncoder encoder;

    public ReusableOutput() {
        super(512);
    }

    /** Empties the buffer, reserves the header and returns an encoder writing after it. */
    public BinaryEncoder start() {
        reset();
        write(new byte[WireFormat.HEADER_SIZE], 0, WireFormat.HEADER_SIZE);
        encoder = EncoderFactory.get().binaryEncoder(this, encoder);
        return encoder;
    }

    /** The bytes written, with the header filled in for {@code schemaId}. */
    public byte[] finish(int schemaId) {
        byte[] result = Arrays.copyOf(buf, count);
        WireFormat.writeHeader(result, schemaId);
        return result;
    }

    public boolean oversized() {
        return buf.length > KEEP_AT_MOST;
    }
}
