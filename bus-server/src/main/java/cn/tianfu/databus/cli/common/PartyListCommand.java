package cn.tianfu.databus.cli.common;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import cn.tianfu.databus.client.DatabusClientConfig;
import picocli.CommandLine.Mixin;

/**
 * A list of records with two parties, as one of them sees it ({@code databus grants}, {@code databus requests}): the
 * records of its own side ({@code --mine}), those on resources it provides ({@code --incoming}), or both when neither is
 * given, each record once, in {@link #order()}.
 *
 * @param <V> the view the records are read from (opened and closed per run)
 * @param <T> the record
 */
public abstract class PartyListCommand<V extends AutoCloseable, T> extends ListCommand<T> {

    /** The {@code --mine} / {@code --incoming} group a subclass declares (its option texts name its records). */
    public interface Side {
        boolean mine();

        boolean incoming();
    }

    @Mixin
    protected ClientOptions client;

    /** The chosen side, or {@code null} when neither option is given (both sides). */
    protected abstract Side side();

    /** Opens the department's view of the records. */
    protected abstract V open(DatabusClientConfig config);

    /** The records of the department's own side ({@code --mine}). */
    protected abstract List<T> mine(V view);

    /** The records on resources the department provides ({@code --incoming}). */
    protected abstract List<T> incoming(V view);

    /** A record's id: a record on both sides is shown once. */
    protected abstract Function<T, String> id();

    /** The order the records are shown in. */
    protected abstract Comparator<T> order();

    @Override
    protected final Output output() {
        return client.output();
    }

    @Override
    protected final List<T> items() throws Exception {
        Side side = side();
        Map<String, T> shown = new LinkedHashMap<>();
        Function<T, String> id = id();
        try (V view = open(client.clientConfig())) {
            if (side == null || side.mine()) {
                mine(view).forEach(r -> shown.put(id.apply(r), r));
            }
            if (side == null || side.incoming()) {
                incoming(view).forEach(r -> shown.put(id.apply(r), r));
            }
        }
        List<T> list = new ArrayList<>(shown.values());
        list.sort(order());
        return list;
    }
}
