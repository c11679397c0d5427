package cn.tianfu.databus.serde;

import java.util.Locale;

import org.apache.avro.Schema;

import cn.tianfu.databus.contract.Subjects;

/**
 * How the serializer names the registry subject a record's schema is registered under, as Confluent's serializers do:
 *
 * <ul>
 *   <li>{@link #TOPIC_NAME} (default): {@code <topic>-value} or {@code <topic>-key}; one schema lineage per topic.</li>
 *   <li>{@link #RECORD_NAME}: the record's full name; one lineage per record type, across topics.</li>
 *   <li>{@link #TOPIC_RECORD_NAME}: {@code <topic>-<full name>}; several record types per topic.</li>
 * </ul>
 *
 * Chosen with {@code value.subject.name.strategy} / {@code key.subject.name.strategy}: one of the names above by their
 * simple class name ({@code TopicNameStrategy}, {@code RecordNameStrategy}, {@code TopicRecordNameStrategy}, also as
 * Confluent's fully qualified names) or the class name of an implementation with a public no-argument constructor.
 */
@FunctionalInterface
public interface SubjectNameStrategy {

    /** The subject for a record of {@code schema} on {@code topic}. */
    String subjectName(String topic, boolean isKey, Schema schema);

    SubjectNameStrategy TOPIC_NAME = (topic, isKey, schema) -> Subjects.subject(topic, isKey);

    SubjectNameStrategy RECORD_NAME = (topic, isKey, schema) -> recordName(schema);

    SubjectNameStrategy TOPIC_RECORD_NAME = (topic, isKey, schema) -> topic + "-" + recordName(schema);

    /**
     * The strategy a config value names.
     *
     * @throws IllegalArgumentException when the name is neither a known strategy nor a loadable implementation
     */
    static SubjectNameStrategy forName(String name) {
        String trimmed = name == null ? "" : name.trim();
        String simple = trimmed.substring(trimmed.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        switch (simple) {
            case "topicnamestrategy", "topic_name":
                return TOPIC_NAME;
            case "recordnamestrategy", "record_name":
                return RECORD_NAME;
            case "topicrecordnamestrategy", "topic_record_name":
                return TOPIC_RECORD_NAME;
            default:
                break;
        }
        try {
            Class<?> type = Class.forName(trimmed, true, Thread.currentThread().getContextClassLoader() != null
                    ? Thread.currentThread().getContextClassLoader() : SubjectNameStrategy.class.getClassLoader());
            if (!SubjectNameStrategy.class.isAssignableFrom(type)) {
                throw new IllegalArgumentException("subject name strategy '" + trimmed + "' does not implement "
                        + SubjectNameStrategy.class.getName());
            }
            return (SubjectNameStrategy) type.getConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalArgumentException("subject name strategy '" + trimmed + "' is unknown: use TopicNameStrategy,"
                    + " RecordNameStrategy, TopicRecordNameStrategy or the class name of an implementation");
        }
    }

    private static String recordName(Schema schema) {
        if (schema.getType() != Schema.Type.RECORD) {
            throw new IllegalArgumentException("a record-name subject strategy needs a record schema, not "
                    + schema.getType().getName() + "; use TopicNameStrategy for this topic");
        }
        return schema.getFullName();
    }
}
