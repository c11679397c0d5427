package cn.tianfu.databus.governance.rules;

import java.util.List;

/** What the schema registry answered to {@link Decision.ProvisionResource} or {@link Decision.RegisterVersion}. */
public sealed interface SchemaRegistration {

    /** Registered under {@code id}, as version {@code version} of the subject. */
    record Registered(int id, int version) implements SchemaRegistration {
    }

    /** Not registered: the subject holds a schema this one is not compatible with; the registry's messages. */
    record Incompatible(List<String> messages) implements SchemaRegistration {
        public Incompatible {
            messages = List.copyOf(messages);
        }
    }

    /** The registry refused the schema (invalid or incompatible), with its message. */
    record Refused(String message) implements SchemaRegistration {
    }
}
