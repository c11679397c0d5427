package cn.tianfu.databus.sharing;

/**
 * A grant's row filter was refused: a syntax error, a reference to an unknown field, a type mismatch or a result that
 * is not {@code bool}. {@link #compilerMessage()} is the CEL compiler's own report (with line, column and a caret),
 * fit to be returned to the department that wrote the filter.
 */
public final class RowFilterException extends PolicyException {

    private final String expression;
    private final String compilerMessage;

    public RowFilterException(String expression, String compilerMessage) {
        super("Row filter '" + expression + "' was refused; fix the expression and submit it again:\n" + compilerMessage);
        this.expression = expression;
        this.compilerMessage = compilerMessage;
    }

    /** The expression as submitted. */
    public String expression() {
        return expression;
    }

    /** The CEL compiler's report, unchanged. */
    public String compilerMessage() {
        return compilerMessage;
    }
}
