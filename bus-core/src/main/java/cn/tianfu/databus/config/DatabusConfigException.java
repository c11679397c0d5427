package cn.tianfu.databus.config;

import java.util.List;

import cn.tianfu.databus.DatabusException;

/**
 * A component's configuration is wrong. Carries every problem found, not only the first, so one run of the
 * program shows the operator everything to fix:
 *
 * <pre>{@code
 * 3 problems in client config: bootstrap.servers is required; department.id 'A B' is invalid: ...; ...
 * }</pre>
 */
public class DatabusConfigException extends DatabusException {

    private final String component;
    private final List<String> problems;

    public DatabusConfigException(String component, List<String> problems) {
        super(message(component, problems));
        this.component = component;
        this.problems = List.copyOf(problems);
    }

    /** The configuration that was wrong, e.g. {@code client} or {@code avro serde}. */
    public String component() {
        return component;
    }

    /** Every problem found, each naming the key it is about. */
    public List<String> problems() {
        return problems;
    }

    private static String message(String component, List<String> problems) {
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a config exception needs at least one problem");
        }
        String count = problems.size() == 1 ? "1 problem" : problems.size() + " problems";
        return count + " in " + component + " config: " + String.join("; ", problems);
    }
}
