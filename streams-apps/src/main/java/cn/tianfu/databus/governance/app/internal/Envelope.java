package cn.tianfu.databus.governance.app.internal;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A command on its way from its {@code cmd.<dept>} topic to the partition of the resource it concerns: the sender
 * (named by the command topic), where it was read, and the command's original bytes (schema-registry wire format),
 * which the deciding processor reads again. Keeping the original bytes registers no schema for the internal topic.
 *
 * <p>Wire form on the repartition topic: format byte 1, sender, source topic (UTF), partition (int), offset (long),
 * length and bytes of the command.
 */
public record Envelope(String sender, String sourceTopic, int partition, long offset, byte[] command) {

    private static final byte FORMAT = 1;

    public static Serde<Envelope> serde() {
        return Serdes.serdeFrom(serializer(), deserializer());
    }

    private static Serializer<Envelope> serializer() {
        return (topic, e) -> {
            if (e == null) {
                return null;
            }
            try {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream(e.command.length + 64);
                DataOutputStream out = new DataOutputStream(bytes);
                out.writeByte(FORMAT);
                out.writeUTF(e.sender);
                out.writeUTF(e.sourceTopic);
                out.writeInt(e.partition);
                out.writeLong(e.offset);
                out.writeInt(e.command.length);
                out.write(e.command);
                out.flush();
                return bytes.toByteArray();
            } catch (IOException x) {
                throw new UncheckedIOException(x);
            }
        };
    }

    private static Deserializer<Envelope> deserializer() {
        return (topic, data) -> {
            if (data == null) {
                return null;
            }
            try {
                DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(data));
                byte format = in.readByte();
                if (format != FORMAT) {
                    throw new IllegalStateException("unknown command envelope format " + format + " on " + topic);
                }
                String sender = in.readUTF();
                String sourceTopic = in.readUTF();
                int partition = in.readInt();
                long offset = in.readLong();
                byte[] command = new byte[in.readInt()];
                in.readFully(command);
                return new Envelope(sender, sourceTopic, partition, offset, command);
            } catch (IOException x) {
                throw new UncheckedIOException(x);
            }
        };
    }
}
