package cn.tianfu.databus.config;

import java.util.List;
import java.util.stream.Collectors;

import cn.tianfu.databus.DatabusException;

/**
 * A file a person wrote — a resource definition, a CDC mapping — with problems: {@link #problems()} lists every one
 * found, each with its line where it has one, so that all can be fixed in one pass.
 */
public abstract class FileProblemsException extends DatabusException {

    private final String source;
    private final List<Problem> problems;

    /**
     * @param source   the file (or name) the content was read from
     * @param what     what the file is, for the message, e.g. {@code "resource definition"}
     * @param problems every problem found
     */
    protected FileProblemsException(String source, String what, List<Problem> problems) {
        super(message(source, what, problems));
        this.source = source;
        this.problems = List.copyOf(problems);
    }

    /** The file (or name) the content was read from. */
    public String source() {
        return source;
    }

    /** Every problem found, in file order. */
    public List<Problem> problems() {
        return problems;
    }

    private static String message(String source, String what, List<Problem> problems) {
        return source + ": " + problems.size() + (problems.size() == 1 ? " problem" : " problems")
                + " in the " + what + "; fix them and try again:\n"
                + problems.stream().map(p -> "  " + p.format(source)).collect(Collectors.joining("\n"));
    }

    /**
     * One problem.
     *
     * @param line    line in the file (1-based), or 0 when it concerns the whole file or has no line
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
