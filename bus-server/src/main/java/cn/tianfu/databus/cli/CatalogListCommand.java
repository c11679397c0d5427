package cn.tianfu.databus.cli;

import java.util.List;
import java.util.concurrent.Callable;

import cn.tianfu.databus.governance.client.CatalogView;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.Category;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code databus catalog list}: the catalog as a table, optionally filtered. */
@Command(name = "list", mixinStandardHelpOptions = true, header = "List the catalog's resources.")
public final class CatalogListCommand implements Callable<Integer> {

    @Mixin
    ClientOptions client;

    @Option(names = "--provider", paramLabel = "DEPT", description = "Only resources this department provides.")
    String provider;

    @Option(names = "--category", paramLabel = "CATEGORY", description = "Only this category: ${COMPLETION-CANDIDATES}.")
    Category category;

    @Option(names = "--search", paramLabel = "TEXT", description = "Only resources whose name or summary contains TEXT (case-insensitive).")
    String search;

    @Override
    public Integer call() {
        Output output = client.output();
        List<CatalogEntry> entries;
        try (CatalogView catalog = CatalogView.open(client.clientConfig(), ClientOptions.CONNECT_TIMEOUT)) {
            entries = search == null ? catalog.all() : catalog.search(search);
        }
        entries = entries.stream()
                .filter(e -> provider == null || e.getProvider().equals(provider))
                .filter(e -> category == null || e.getCategory() == category)
                .toList();
        if (output.json) {
            output.json(entries);
            return DatabusCli.OK;
        }
        Table table = new Table("CODE", "NAME", "PROVIDER", "CATEGORY", "SHARING", "METHOD", "STATUS", "VERSION");
        for (CatalogEntry e : entries) {
            table.row(e.getCode(), e.getName(), e.getProvider(), e.getCategory(), e.getSharingClass(), e.getSharingMethod(),
                    e.getStatus(), e.getCatalogVersion());
        }
        table.print(output.out);
        return DatabusCli.OK;
    }
}
