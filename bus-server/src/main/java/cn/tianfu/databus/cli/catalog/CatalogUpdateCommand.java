package cn.tianfu.databus.cli.catalog;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

import cn.tianfu.databus.catalog.ResourceDefinition;
import cn.tianfu.databus.catalog.ResourceDefinitions;
import cn.tianfu.databus.cli.common.ClientOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code databus catalog update}: replaces a resource's catalog entry from its edited definition file. */
@Command(name = "update", mixinStandardHelpOptions = true,
        header = "Change the catalog entry of a resource you provide from its edited definition file (Art. 14).")
public final class CatalogUpdateCommand implements Callable<Integer> {

    @Mixin
    ClientOptions client;

    @Parameters(paramLabel = "FILE", description = "The resource's definition (YAML) with the changes.")
    Path file;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why the entry changes, e.g. a revised law or a changed duty.")
    String reason;

    @Override
    public Integer call() {
        ResourceDefinition definition = ResourceDefinitions.parse(file);
        return client.submit(governance -> governance.update(definition, Optional.ofNullable(reason)));
    }
}
