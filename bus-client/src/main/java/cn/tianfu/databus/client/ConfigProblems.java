package cn.tianfu.databus.client;

import cn.tianfu.databus.config.DatabusConfigException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;

/**
 * Collects every problem of a configuration before it is parsed, so a {@code *Config} class can report them all
 * at once instead of Kafka's first-problem-wins {@link org.apache.kafka.common.config.ConfigException}.
 *
 * <pre>{@code
 * ConfigProblems problems = ConfigProblems.check(CONFIG_DEF, props);
 * if (problems.parsed(SOME_KEY) instanceof String s && s.isBlank()) problems.add(SOME_KEY + " must not be blank");
 * problems.throwIfAny("client");
 * }</pre>
 */
public final class ConfigProblems {

    private final List<String> problems = new ArrayList<>();
    private final Map<String, Object> parsed = new HashMap<>();
    private final Set<String> invalid;

    private ConfigProblems(Set<String> invalid) {
        this.invalid = invalid;
    }

    /**
     * Parses and validates {@code props} against {@code def}: a missing required key, a value of the wrong type and a
     * value its validator refuses each become one problem. Keys {@code def} does not know are ignored (they may be
     * meant for the Kafka clients).
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static ConfigProblems check(ConfigDef def, Map<String, ?> props) {
        // ConfigDef.validate declares Map<String, String> but parses any value ConfigDef itself accepts
        List<ConfigValue> values = def.validate((Map) props);
        Set<String> invalid = new java.util.HashSet<>();
        ConfigProblems result = new ConfigProblems(invalid);
        for (ConfigValue value : values) {
            if (value.errorMessages().isEmpty()) {
                result.parsed.put(value.name(), value.value());
                continue;
            }
            invalid.add(value.name());
            ConfigDef.ConfigKey key = def.configKeys().get(value.name());
            boolean missing = !props.containsKey(value.name()) || props.get(value.name()) == null;
            if (missing && key != null && !key.hasDefault()) {
                result.problems.add(value.name() + " is required");
            } else {
                // the first message is the cause; later ones repeat it (a validator seeing the unparsable value as null)
                result.problems.add(value.errorMessages().get(0));
            }
        }
        return result;
    }

    /** Adds a problem found by a rule that spans keys; the message should name the keys. */
    public ConfigProblems add(String problem) {
        problems.add(problem);
        return this;
    }

    /** The parsed value of {@code key}, or null when it is missing or invalid (its problem is already recorded). */
    public Object parsed(String key) {
        return invalid.contains(key) ? null : parsed.get(key);
    }

    /** Whether {@code key} has a valid value (its default counts). */
    public boolean isValid(String key) {
        return !invalid.contains(key) && parsed.containsKey(key);
    }

    public List<String> problems() {
        return List.copyOf(problems);
    }

    /** Throws one {@link DatabusConfigException} listing every problem, if there are any. */
    public void throwIfAny(String component) {
        if (!problems.isEmpty()) {
            throw new DatabusConfigException(component, problems);
        }
    }
}
