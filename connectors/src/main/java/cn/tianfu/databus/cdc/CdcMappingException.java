package cn.tianfu.databus.cdc;

import java.util.List;
import java.util.stream.Collectors;

import cn.tianfu.databus.DatabusException;

/**
 * A CDC mapping with problems — in the file itself, against the catalogued resource's schema, or against the
 * database. {@link #problems()} lists every one found, each with its line where it has one, so all can be fixed in one
 * pass. Nothing streams while a mapping has problems.
 */
public class CdcMappingException extends DatabusException {

    private final String source;
    private final List<Problem> problems;

    public CdcMappingException(String source, List<Problem> problems) {
        super(message(source, problems));
        this.source = source;
        this.problems = List.copyOf(problems);
    }

    public String source() {
        return source;
    }

    /** Every problem found, in file order. */
    public List<Problem> problems() {
        return problems;
    }

    private static String message(String source, List<Problem> problems) {
        return source + ": " + problems.size() + (problems.size() == 1 ? " problem" : " problems")
                + " in the CDC mapping; fix them and try again:\n"
                + problems.stream().map(p -> "  " + p.format(source)).collect(Collectors.joining("\n"));
    }

    /**
     * One problem.
     *
     * @param line    line in the mapping file (1-based), or 0 when it has none
     * @param path    what it concerns, e.g. {@code tables[0].columns.birth_date}; empty for the whole mapping
     * @param message what is wrong and what to do
     */
    public record Problem(int line, String path, String message) {

        /** {@code source:line: path: message}. */
        public String format(String source) {
            return source + ":" + line + ": " + (path.isEmpty() ? "" : path + ": ") + message;
        }
    }
}
