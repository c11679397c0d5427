package cn.tianfu.databus.contract;

import java.util.Objects;

/**
 * Registry subjects of the bus's topics, as Confluent's topic-name strategy names them: the value schema of topic
 * {@code T} is registered under {@code T-value}, its key schema under {@code T-key}.
 *
 * <pre>{@code
 * registry.latest(Subjects.valueSubject(Topics.source("psb", "10101-000001")));   // src.psb.10101-000001-value
 * }</pre>
 */
public final class Subjects {

    /** What a value subject appends to its topic. */
    public static final String VALUE_SUFFIX = "-value";
    /** What a key subject appends to its topic. */
    public static final String KEY_SUFFIX = "-key";

    private Subjects() {
    }

    /** The subject of the value schema of {@code topic}. */
    public static String valueSubject(String topic) {
        return Objects.requireNonNull(topic, "topic") + VALUE_SUFFIX;
    }

    /** The subject of the key schema of {@code topic}. */
    public static String keySubject(String topic) {
        return Objects.requireNonNull(topic, "topic") + KEY_SUFFIX;
    }

    /** {@link #keySubject} or {@link #valueSubject} of {@code topic}. */
    public static String subject(String topic, boolean isKey) {
        return isKey ? keySubject(topic) : valueSubject(topic);
    }
}
