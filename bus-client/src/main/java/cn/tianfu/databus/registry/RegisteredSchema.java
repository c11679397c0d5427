package cn.tianfu.databus.registry;

import java.util.Objects;

import org.apache.avro.Schema;

/**
 * One version of a subject: the subject, the registry-wide schema id (what goes on the wire), the version within the
 * subject, and the schema.
 */
public record RegisteredSchema(String subject, int id, int version, Schema schema) {

    public RegisteredSchema {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(schema, "schema");
    }
}
