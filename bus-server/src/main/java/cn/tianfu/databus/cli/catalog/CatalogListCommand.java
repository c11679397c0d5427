package cn.tianfu.databus.cli.catalog;

import java.util.List;

import cn.tianfu.databus.cli.common.ClientOptions;
import cn.tianfu.databus.cli.common.ListCommand;
import cn.tianfu.databus.cli.common.Output;
import cn.tianfu.databus.cli.common.Table;
import cn.tianfu.databus.governance.client.CatalogView;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.Category;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code databus catalog list}: the catalog as a table, optionally filtered. */
@Command(name = "list", mixinStandardHelpOptions = true, header = "List the catalog's resources.")
public final class CatalogListCommand extends ListCommand<CatalogEntry> {

    @Mixin
    ClientOptions client;

    @Option(names = "--provider", paramLabel = "DEPT", description = "Only resources this department provides.")
    String provider;

    @Option(names = "--category", paramLabel = "CATEGORY", description = "Only this category: ${COMPLETION-CANDIDATES}.")
    Category category;

    @Option(names = "--search", paramLabel = "TEXT", description = "Only resources whose name or summary contains TEXT (case-insensitive).")
    String search;

    @Override
    protected Output output() {
        return client.output();
    }

    @Override
    protected List<CatalogEntry> items() {
        List<CatalogEntry> entries;
        try (CatalogView catalog = CatalogView.open(client.clientConfig(), ClientOptions.CONNECT_TIMEOUT)) {
            entries = search == null ? catalog.all() : catalog.search(search);
        }
        return entries.stream()
                .filter(e -> provider == null || e.getProvider().equals(provider))
                .filter(e -> category == null || e.getCategory() == category)
                .toList();
    }

    @Override
    protected Table table() {
        return new Table("CODE", "NAME", "PROVIDER", "CATEGORY", "SHARING", "METHOD", "STATUS", "VERSION");
    }

    @Override
    protected void addRows(Table table, CatalogEntry e) {
        table.row(e.getCode(), e.getName(), e.getProvider(), e.getCategory(), e.getSharingClass(), e.getSharingMethod(),
                e.getStatus(), e.getCatalogVersion());
    }
}
