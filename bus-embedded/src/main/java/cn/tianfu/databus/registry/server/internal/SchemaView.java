package cn.tianfu.databus.registry.server.internal;

import java.util.List;

/** One registered version of a subject, as the API shows it. */
public record SchemaView(String subject, int version, int id, String schema, String schemaType,
                         List<Reference> references, boolean deleted) {
}
