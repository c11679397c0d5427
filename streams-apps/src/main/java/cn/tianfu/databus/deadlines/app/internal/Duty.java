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

import cn.tianfu.databus.schemas.DutyKind;

/**
 * One open duty of a provider, as the duties store keeps it (key: the subject id): decide a request by its due time
 * ({@link DutyKind#DECIDE_REQUEST}, key: request id) or answer an error report by its due time
 * ({@link DutyKind#ANSWER_ERROR_REPORT}, key: report id).
 * {@code reminded} and {@code violated} record what was raised; the store's changelog carries them across restarts.
 *
 * @param requestId    the subject: the request or the error report
 * @param provider     the department that must decide or answer (the duty holder)
 * @param consumer     the requesting or reporting department
 * @param resourceCode the resource requested
 * @param dueAt        the due time (the request's {@code dueAt})
 * @param dueCalendar  the calendars the due time was counted on, if given
 * @param remindAt     when the provider is reminded
 * @param evidence     where the request's pending state was read ({@code bus.requests/<partition>@<offset>})
 * @param reminded     whether the reminder was raised (or its time had passed the due time when first seen)
 * @param violated     whether the violation was raised
 * @param kind         which duty it is
 */
public record Duty(String requestId, String provider, String consumer, String resourceCode, Instant dueAt,
                   String dueCalendar, Instant remindAt, String evidence, boolean reminded, boolean violated,
                   DutyKind kind) {

    /** Version 1 (no kind: a request's duty) is still read; version 2 adds the kind. */
    private static final byte VERSION = 2;

    /** A request's duty (version 1's only kind). */
    public Duty(String requestId, String provider, String consumer, String resourceCode, Instant dueAt,
                String dueCalendar, Instant remindAt, String evidence, boolean reminded, boolean violated) {
        this(requestId, provider, consumer, resourceCode, dueAt, dueCalendar, remindAt, evidence, reminded, violated,
                DutyKind.DECIDE_REQUEST);
    }

    Duty withReminded() {
        return new Duty(requestId, provider, consumer, resourceCode, dueAt, dueCalendar, remindAt, evidence, true, violated, kind);
    }

    Duty withViolated() {
        return new Duty(requestId, provider, consumer, resourceCode, dueAt, dueCalendar, remindAt, evidence, reminded, true, kind);
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
            out.writeUTF(kind.name());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static Duty fromBytes(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            byte version = in.readByte();
            if (version != 1 && version != VERSION) {
                throw new IllegalStateException("duty record of unknown version " + version);
            }
            return new Duty(in.readUTF(), in.readUTF(), in.readUTF(), in.readUTF(), Instant.ofEpochMilli(in.readLong()),
                    readNullable(in), Instant.ofEpochMilli(in.readLong()), readNullable(in), in.readBoolean(),
                    in.readBoolean(), version == 1 ? DutyKind.DECIDE_REQUEST : DutyKind.valueOf(in.readUTF()));
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
