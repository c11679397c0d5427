package cn.tianfu.databus.cli.catalog;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import cn.tianfu.databus.catalog.ResourceDefinition;
import cn.tianfu.databus.catalog.ResourceDefinitions;
import cn.tianfu.databus.cli.common.ClientOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code databus catalog register}: registers a resource from its definition file. */
@Command(name = "register", mixinStandardHelpOptions = true,
        header = "Register a resource you provide from its definition file (checked here first, every problem listed with its line).")
public final class CatalogRegisterCommand implements Callable<Integer> {

    @Mixin
    ClientOptions client;

    @Parameters(paramLabel = "FILE", description = "Resource definition (YAML), e.g. examples/resources/psb-population.yaml.")
    Path file;

    @Override
    public Integer call() {
        ResourceDefinition definition = ResourceDefinitions.parse(file);
        return client.submit(governance -> governance.register(definition));
    }
}
