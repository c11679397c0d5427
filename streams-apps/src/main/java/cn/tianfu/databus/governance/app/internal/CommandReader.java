package cn.tianfu.databus.governance.app.internal;

import java.nio.ByteBuffer;

import cn.tianfu.databus.deadletter.DeadLetterReason;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.registry.SchemaRegistryException;
import cn.tianfu.databus.schemas.GovernanceCommand;
import cn.tianfu.databus.serde.AvroDeserializer;
import cn.tianfu.databus.serde.AvroWireFormatException;

/**
 * Reads a command's value bytes (schema-registry wire format) into a {@link GovernanceCommand}, or says why they are
 * not one, as a dead-letter reason. Never throws for bad bytes; a registry that cannot be reached is thrown
 * ({@link SchemaRegistryException}), since the same bytes will read once it is back.
 */
public final class CommandReader {

    /** The outcome of reading: a command, or a reason and message. */
    public record Reading(GovernanceCommand command, DeadLetterReason reason, String problem) {

        public boolean ok() {
            return command != null;
        }
    }

    private final SchemaRegistryClient registry;
    private final AvroDeserializer<GovernanceCommand> deserializer;

    public CommandReader(SchemaRegistryClient registry) {
        this.registry = registry;
        this.deserializer = AvroDeserializer.specific(registry, GovernanceCommand.class);
    }

    public Reading read(String topic, byte[] value) {
        if (value == null) {
            return new Reading(null, DeadLetterReason.INVALID_COMMAND, "the record has no value (a tombstone is not a"
                    + " command); send a GovernanceCommand in the schema registry's Avro wire format");
        }
        try {
            return new Reading(deserializer.deserialize(topic, value), null, null);
        } catch (AvroWireFormatException e) {
            return switch (e.reason()) {
                case UNKNOWN_SCHEMA_ID -> new Reading(null, DeadLetterReason.UNKNOWN_SCHEMA, e.getMessage());
                case UNDECODABLE -> notACommand(e).orElse(new Reading(null, DeadLetterReason.MALFORMED_BYTES, e.getMessage()));
                default -> new Reading(null, DeadLetterReason.MALFORMED_BYTES, e.getMessage());
            };
        }
    }

    /** A record of another schema than GovernanceCommand is an invalid command, not malformed bytes. */
    private java.util.Optional<Reading> notACommand(AvroWireFormatException e) {
        if (e.schemaId().isEmpty()) {
            return java.util.Optional.empty();
        }
        try {
            String name = registry.schemaById(e.schemaId().getAsInt()).getFullName();
            if (!GovernanceCommand.getClassSchema().getFullName().equals(name)) {
                return java.util.Optional.of(new Reading(null, DeadLetterReason.INVALID_COMMAND, "the record is a " + name
                        + " (schema id " + e.schemaId().getAsInt() + "), not a " + GovernanceCommand.getClassSchema().getFullName()));
            }
        } catch (SchemaRegistryException ignored) {
            // keep the original classification
        }
        return java.util.Optional.empty();
    }

    /** The key as a command id: UTF-8 text of 1 to 200 characters without control characters; null otherwise. */
    public static String commandIdFromKey(byte[] key) {
        if (key == null || key.length == 0 || key.length > 800) {
            return null;
        }
        try {
            String s = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(key)).toString();
            if (s.isBlank() || s.length() > 200 || s.chars().anyMatch(Character::isISOControl)) {
                return null;
            }
            return s;
        } catch (java.nio.charset.CharacterCodingException e) {
            return null;
        }
    }
}
