package cn.tianfu.databus.registry.server.internal;

import java.util.ArrayList;
import java.util.List;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;

/**
 * Decides whether a new schema may follow earlier ones under a {@link CompatibilityLevel}, with Avro's own reader/writer
 * rules ({@link SchemaCompatibility}). BACKWARD: the new schema reads what the old ones wrote; FORWARD: the old ones read
 * what the new one writes; FULL: both. Non-transitive levels look at the latest version only, transitive ones at all.
 */
public final class Compatibility {

    private Compatibility() {
    }

    /**
     * Checks {@code candidate} against {@code previous} (oldest first, live versions only).
     *
     * @return the reasons it is incompatible; empty when it is compatible
     */
    public static List<String> check(CompatibilityLevel level, Schema candidate, List<Schema> previous) {
        if (level == CompatibilityLevel.NONE || previous.isEmpty()) {
            return List.of();
        }
        List<Schema> against = level.transitive() ? previous : List.of(previous.get(previous.size() - 1));
        List<String> messages = new ArrayList<>();
        // newest first, as a reader of the messages expects the closest version to be named first
        for (int i = against.size() - 1; i >= 0; i--) {
            Schema old = against.get(i);
            if (level.backward()) {
                messages.addAll(problems(candidate, old, "new schema cannot read data written with an existing schema"));
            }
            if (level.forward()) {
                messages.addAll(problems(old, candidate, "an existing schema cannot read data written with the new schema"));
            }
        }
        return messages;
    }

    private static List<String> problems(Schema reader, Schema writer, String what) {
        var result = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getResult();
        if (result.getCompatibility() == SchemaCompatibilityType.COMPATIBLE) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Incompatibility inc : result.getIncompatibilities()) {
            out.add("{errorType:'" + inc.getType() + "', description:'" + what + ": " + inc.getMessage()
                    + "', location:'" + inc.getLocation() + "'}");
        }
        if (out.isEmpty()) {
            out.add("{errorType:'INCOMPATIBLE', description:'" + what + "'}");
        }
        return out;
    }
}
