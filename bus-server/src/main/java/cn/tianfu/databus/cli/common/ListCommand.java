package cn.tianfu.databus.cli.common;

import java.util.List;

import picocli.CommandLine.ExitCode;

/**
 * The shape every list command shares: it gathers its items, then prints them either as one JSON array
 * ({@code --json}: Avro records as objects, see {@link Output#json}) or as a {@link Table}, one row per item (or more,
 * see {@link #addRows}).
 *
 * <pre>{@code
 * @Command(name = "list", header = "List the things.")
 * public final class ThingListCommand extends ListCommand<Thing> {
 *     @Mixin ClientOptions client;
 *     protected Output output() { return client.output(); }
 *     protected List<Thing> items() { ... }
 *     protected Table table() { return new Table("ID", "NAME"); }
 *     protected void addRows(Table table, Thing t) { table.row(t.id(), t.name()); }
 * }
 * }</pre>
 */
public abstract class ListCommand<T> extends ClockedCommand {

    /** Where to print and whether as JSON; called before {@link #items()}. */
    protected abstract Output output();

    /** The items, in the order shown. */
    protected abstract List<T> items() throws Exception;

    /** An empty table with the list's columns. */
    protected abstract Table table();

    /** Adds {@code item}'s row (or rows) to {@code table}. */
    protected abstract void addRows(Table table, T item);

    @Override
    public final Integer call() throws Exception {
        Output output = output();
        List<T> items = items();
        if (output.isJson()) {
            output.json(items);
            return ExitCode.OK;
        }
        Table table = table();
        for (T item : items) {
            addRows(table, item);
        }
        table.print(output.out());
        return ExitCode.OK;
    }
}
