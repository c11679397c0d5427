package cn.tianfu.databus.governance.client;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.governance.client.internal.TopicViews;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.Category;

/**
 * The bus's resource catalog as it stands: every registered resource, active or retired, by code.
 *
 * <pre>{@code
 * try (CatalogView catalog = CatalogView.open(config)) {
 *     catalog.search("人口").forEach(e -> System.out.println(e.getCode() + " " + e.getName()));
 *     catalog.refresh();                       // catch up with changes since open
 * }
 * }</pre>
 *
 * Queries answer from what was read at {@link #open} or the last {@link #refresh()}; lists are ordered by code.
 */
public interface CatalogView extends AutoCloseable {

    /** Reads the catalog (from {@code bus.catalog}) with the default connect timeout. */
    static CatalogView open(DatabusClientConfig config) {
        return open(config, GovernanceClient.DEFAULT_CONNECT_TIMEOUT);
    }

    /**
     * Reads the catalog, waiting at most {@code timeout} for the bus.
     *
     * @throws GovernanceException when the bus cannot be reached
     */
    static CatalogView open(DatabusClientConfig config, Duration timeout) {
        return TopicViews.catalog(config, timeout);
    }

    /** Reads the changes made since the last read. */
    void refresh();

    Optional<CatalogEntry> byCode(String code);

    /** The resources a department provides. */
    List<CatalogEntry> byProvider(String department);

    List<CatalogEntry> byCategory(Category category);

    /**
     * The resources whose name or summary contains {@code text}, ignoring case and full-width/half-width differences
     * (so 人口 finds 人口基础信息, and "ＡＢＣ" finds "abc").
     */
    List<CatalogEntry> search(String text);

    List<CatalogEntry> all();

    @Override
    void close();
}
