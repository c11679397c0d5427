package cn.tianfu.databus.deadlines.app.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * One open duty "the provider decides the request by its due time", as the duties store keeps it (key: request id).
 * {@code reminded} and {@code violated} record what was raised; the store's changelog carries them across restarts.
 *
 * @param requestId    the request
 * @param provider     the department that must decide (the duty holder)
 * @param consumer     the requesting department
 * @param resourceCode the resource requested
 * @param dueAt        the due time (the request's {@code dueAt})
 * @param dueCalendar  the calendars the due time was counted on, if given
 * @param remindAt     when the provider is reminded
 * @param evidence     where the request's pending state was read ({@code bus.requests/<partition>@<offset>})
 * @param reminded     whether the reminder was raised (or its time had passed the due time when first seen)
 * @param violated     whether the violation was raised
 */
public record Duty(String requestId, String provider, String consumer, String resourceCode, Instant dueAt,
                   String dueCalendar, Instant remindAt, String evidence, boolean reminded, boolean violated) {

    private static final byte VERSION = 1;

    Duty withReminded() {
        return new Duty(requestId, provider, consumer, resourceCode, dueAt, dueCalendar, remindAt, evidence, true, violated);
    }

    Duty withViolated() {
        return new Duty(requestId, provider, consumer, resourceCode, dueAt, dueCalendar, remindAt, evidence, reminded, true);
    }

    /** The store's value serde: a version byte, then the fields (strings as modified UTF-8, times as epoch millis). */
    public static Serde<Duty> serde() {
        Serializer<Duty> ser = (topic, duty) -> duty == null ? null : duty.toBytes();
        Deserializer<Duty> de = (topic, bytes) -> bytes == null ? null : fromBytes(bytes);
        return Serdes.serdeFrom(ser, de);
    }

    private byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeUTF(requestId);
            out.writeUTF(provider);
            out.writeUTF(consumer);
            out.writeUTF(resourceCode);
            out.writeLong(dueAt.toEpochMilli());
            writeNullable(out, dueCalendar);
            out.writeLong(remindAt.toEpochMilli());
            writeNullable(out, evidence);
            out.writeBoolean(reminded);
            out.writeBoolean(violated);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static Duty fromBytes(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            byte version = in.readByte();
            if (version != VERSION) {
                throw new IllegalStateException("duty record of unknown version " + version);
            }
            return new Duty(in.readUTF(), in.readUTF(), in.readUTF(), in.readUTF(), Instant.ofEpochMilli(in.readLong()),
                    readNullable(in), Instant.ofEpochMilli(in.readLong()), readNullable(in), in.readBoolean(),
                    in.readBoolean());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeNullable(DataOutputStream out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            out.writeUTF(s);
        }
    }

    private static String readNullable(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }
}
