package cn.tianfu.databus.catalog;

import java.util.List;
import java.util.stream.Collectors;

import cn.tianfu.databus.DatabusException;

/**
 * A resource definition file with problems; {@link #problems()} lists every one found, each with its line, so the
 * provider can fix them all in one pass.
 */
public class ResourceDefinitionException extends DatabusException {

    private final String source;
    private final List<Problem> problems;

    public ResourceDefinitionException(String source, List<Problem> problems) {
        super(message(source, problems));
        this.source = source;
        this.problems = List.copyOf(problems);
    }

    /** The file (or name) the definition was read from. */
    public String source() {
        return source;
    }

    /** Every problem found, in file order. */
    public List<Problem> problems() {
        return problems;
    }

    private static String message(String source, List<Problem> problems) {
        return source + ": " + problems.size() + (problems.size() == 1 ? " problem" : " problems")
                + " in the resource definition; fix them and try again:\n"
                + problems.stream().map(p -> "  " + p.format(source)).collect(Collectors.joining("\n"));
    }

    /**
     * One problem.
     *
     * @param line    line in the file (1-based), or 0 when it concerns the whole file
     * @param path    the field concerned, e.g. {@code items[2].mask}; empty for the whole file
     * @param message what is wrong and what to do
     */
    public record Problem(int line, String path, String message) {

        /** {@code source:line: path: message}. */
        public String format(String source) {
            return source + ":" + line + ": " + (path.isEmpty() ? "" : path + ": ") + message;
        }
    }
}
