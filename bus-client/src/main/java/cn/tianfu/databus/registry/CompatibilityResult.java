package cn.tianfu.databus.registry;

import java.util.List;

/**
 * Whether a schema may be registered under a subject, and if not, why (the registry's messages, each naming the
 * field or type that breaks compatibility).
 */
public record CompatibilityResult(boolean compatible, List<String> messages) {

    public CompatibilityResult {
        messages = List.copyOf(messages);
    }

    public static CompatibilityResult ok() {
        return new CompatibilityResult(true, List.of());
    }
}
