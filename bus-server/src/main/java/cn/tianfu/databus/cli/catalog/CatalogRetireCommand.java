package cn.tianfu.databus.cli.catalog;

import java.util.concurrent.Callable;

import cn.tianfu.databus.cli.common.ClientOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code databus catalog retire}: retires a resource; its grants end. */
@Command(name = "retire", mixinStandardHelpOptions = true, header = "Retire a resource you provide; every grant on it ends.")
public final class CatalogRetireCommand implements Callable<Integer> {

    @Mixin
    ClientOptions client;

    @Parameters(paramLabel = "CODE", description = "Resource code.")
    String code;

    @Option(names = "--reason", paramLabel = "TEXT", required = true, description = "Why the resource is retired.")
    String reason;

    @Override
    public Integer call() {
        return client.submit(governance -> governance.retire(code, reason));
    }
}
