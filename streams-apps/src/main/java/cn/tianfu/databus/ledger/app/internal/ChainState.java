package cn.tianfu.databus.ledger.app.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A log partition's chain as the ledger keeps it in its state store: head hash, entries chained, and entries
 * covered by the last checkpoint. Stored as 8 + 8 bytes big-endian and the 64 hex characters of the head.
 */
public record ChainState(String head, long entryCount, long checkpointedCount) {

    public static Serde<ChainState> serde() {
        Serializer<ChainState> ser = (topic, s) -> s == null ? null : ByteBuffer.allocate(16 + s.head().length())
                .putLong(s.entryCount()).putLong(s.checkpointedCount())
                .put(s.head().getBytes(StandardCharsets.US_ASCII)).array();
        Deserializer<ChainState> de = (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            ByteBuffer b = ByteBuffer.wrap(bytes);
            long count = b.getLong();
            long checkpointed = b.getLong();
            return new ChainState(new String(bytes, 16, bytes.length - 16, StandardCharsets.US_ASCII), count, checkpointed);
        };
        return Serdes.serdeFrom(ser, de);
    }
}
