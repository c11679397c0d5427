package cn.tianfu.databus.cli.catalog;

import picocli.CommandLine.Command;

/** {@code databus catalog}: the resource catalog (Art. 12-16). */
@Command(name = "catalog", mixinStandardHelpOptions = true,
        header = "Browse the resource catalog and register, update or retire the resources you provide.",
        subcommands = {CatalogListCommand.class, CatalogShowCommand.class, CatalogRegisterCommand.class,
                CatalogUpdateCommand.class, CatalogRetireCommand.class, CatalogHistoryCommand.class,
                CatalogExportCommand.class, CatalogImportCommand.class})
public final class CatalogCommand {
}
