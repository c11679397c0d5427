package cn.tianfu.databus.registry.server.internal;

/** A schema reference: the full name a schema uses for a type defined by version {@code version} of {@code subject}. */
public record Reference(String name, String subject, int version) {
}
